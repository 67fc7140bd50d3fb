//! Checks of the `rate_limited_crawler` kata: a crawler that keeps several requests in flight,
//! never more than `max_in_flight`, never starting more than `per_second` in a second.
//!
//! The promises: every page reachable from the start pages is fetched exactly once and returned
//! with its links; at most `max_in_flight` fetches are under way at once; at most `per_second`
//! fetches start in any window of one second; and within those limits fetches overlap.
//!
//! The site is the check's: each fetch records when it started (its first poll) and how many
//! fetches were under way, and takes a while by sleeping on tokio's clock. The crawls run on a
//! current-thread runtime whose time is paused: virtual time jumps ahead whenever every task
//! waits, so a crawl of a minute of virtual time takes a few milliseconds, and every run of a
//! check sees exactly the same timings.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Mutex;

use harness::check::Checks;
use harness::sync::Arc;
use rate_limited_crawler::tokio;
use rate_limited_crawler::{crawl, Fetch, Links, Page, Url};
use tokio::time::{Duration, Instant};

/// How long a crawl may take, in virtual time, before the check calls it stuck.
const PATIENCE: Duration = Duration::from_secs(3600);
/// Timers tick in milliseconds: starts this much closer than the limit allows are forgiven.
const SLACK: Duration = Duration::from_millis(5);

fn main() {
    Checks::new()
        .sequential("crawling no start pages returns no pages", no_start_pages)
        .sequential("a page without links is fetched once", one_page)
        .sequential(
            "every reachable page is fetched exactly once, with its links",
            every_page_once,
        )
        .sequential(
            "never more than max_in_flight requests at once",
            in_flight_is_capped,
        )
        .sequential(
            "never more than per_second requests start in one second",
            starts_are_rate_limited,
        )
        .sequential(
            "with every permit held by a slow fetch, the starts that follow are still spread out",
            both_limits_bind,
        )
        .sequential(
            "requests overlap: the crawl is much faster than fetching one by one",
            requests_overlap,
        )
        .concurrent(
            "crawls on a multi-thread runtime keep both promises",
            multi_thread_crawls,
        )
        .run();
}

/// One page of the check's site.
#[derive(Clone)]
struct Spec {
    links: Vec<Url>,
    /// How long fetching it takes.
    latency: Duration,
}

/// What the site saw.
#[derive(Default)]
struct Log {
    /// When each fetch started, in order.
    starts: Vec<(Url, Instant)>,
    in_flight: usize,
    most_in_flight: usize,
    fetched: BTreeMap<Url, usize>,
}

/// The site the crawler fetches from.
struct Site {
    pages: HashMap<Url, Spec>,
    log: Arc<Mutex<Log>>,
    /// Waits by yielding to the runtime instead of sleeping (for real-time runs).
    yields: bool,
    /// How long a fetch takes, instead of its page's latency, when it starts within the first
    /// second after the crawl's first fetch started (a site that is slow at first).
    slow_at_first: Option<Duration>,
}

impl Fetch for Site {
    fn fetch(&self, url: &str) -> Links {
        let spec = self.pages.get(url).cloned().unwrap_or(Spec {
            links: Vec::new(),
            latency: Duration::from_millis(100),
        });
        let log = Arc::clone(&self.log);
        let url = url.to_owned();
        let yields = self.yields;
        let slow_at_first = self.slow_at_first;
        Box::pin(async move {
            let latency = {
                let mut log = log.lock().unwrap();
                let now = Instant::now();
                log.starts.push((url.clone(), now));
                *log.fetched.entry(url).or_insert(0) += 1;
                log.in_flight += 1;
                log.most_in_flight = log.most_in_flight.max(log.in_flight);
                let first = log.starts[0].1;
                match slow_at_first {
                    Some(slow) if now - first < Duration::from_secs(1) => slow,
                    _ => spec.latency,
                }
            };
            if yields {
                for _ in 0..3 {
                    tokio::task::yield_now().await;
                }
            } else {
                tokio::time::sleep(latency).await;
            }
            log.lock().unwrap().in_flight -= 1;
            spec.links
        })
    }
}

fn url(i: usize) -> Url {
    format!("/p{i}")
}

/// `n` pages: page i links to its children 3i+1..=3i+3, back to its parent, and across to
/// another page (so there are cycles and pages linked from several others). Fetches take
/// 200 to 600 ms. One more page, `/orphan`, is linked from nowhere.
fn web(n: usize) -> HashMap<Url, Spec> {
    let mut pages: HashMap<Url, Spec> = (0..n)
        .map(|i| {
            let mut links: Vec<Url> = (3 * i + 1..=3 * i + 3)
                .filter(|&c| c < n)
                .map(url)
                .collect();
            links.push(url(i / 2));
            links.push(url((i * 7 + 3) % n));
            let latency = Duration::from_millis(200 + (i as u64 * 37 % 5) * 100);
            (url(i), Spec { links, latency })
        })
        .collect();
    pages.insert(
        "/orphan".to_owned(),
        Spec {
            links: vec![url(0)],
            latency: Duration::from_millis(100),
        },
    );
    pages
}

/// `n` pages without links, each taking `latency` to fetch.
fn leaves(n: usize, latency: Duration) -> HashMap<Url, Spec> {
    (0..n)
        .map(|i| {
            (
                url(i),
                Spec {
                    links: Vec::new(),
                    latency,
                },
            )
        })
        .collect()
}

/// What one crawl did.
struct Crawled {
    pages: Vec<Page>,
    /// How long the crawl took, in virtual time.
    took: Duration,
    log: Log,
}

/// A current-thread runtime whose clock is paused: time moves only when every task waits.
fn paused() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("the check can build a runtime")
}

fn crawl_in_virtual_time(
    pages: HashMap<Url, Spec>,
    start: &[&str],
    max_in_flight: usize,
    per_second: u32,
) -> Crawled {
    crawl_site_in_virtual_time(pages, None, start, max_in_flight, per_second)
}

/// Like [`crawl_in_virtual_time`], on a site whose fetches take `slow_at_first` when they start
/// within the crawl's first second.
fn crawl_site_in_virtual_time(
    pages: HashMap<Url, Spec>,
    slow_at_first: Option<Duration>,
    start: &[&str],
    max_in_flight: usize,
    per_second: u32,
) -> Crawled {
    let log = Arc::new(Mutex::new(Log::default()));
    let site: Arc<dyn Fetch> = Arc::new(Site {
        pages,
        log: Arc::clone(&log),
        yields: false,
        slow_at_first,
    });
    let start: Vec<Url> = start.iter().map(|s| s.to_string()).collect();
    let (pages, took) = paused().block_on(async {
        let began = Instant::now();
        let crawled =
            tokio::time::timeout(PATIENCE, crawl(site, start, max_in_flight, per_second)).await;
        let Ok(pages) = crawled else {
            harness::check::never_came(
                "crawl did not finish within an hour of (virtual) time: it waits for something \
                 that never comes (a permit never given back? a task never awaited?)",
            );
        };
        (pages, began.elapsed())
    });
    let log = std::mem::take(&mut *log.lock().unwrap());
    Crawled { pages, took, log }
}

/// The pages reachable from `start`, as a crawl should return them (sorted by URL).
fn reachable(pages: &HashMap<Url, Spec>, start: &[&str]) -> Vec<Page> {
    let mut seen: BTreeSet<Url> = BTreeSet::new();
    let mut queue: VecDeque<Url> = start.iter().map(|s| s.to_string()).collect();
    let mut found = Vec::new();
    while let Some(at) = queue.pop_front() {
        if !seen.insert(at.clone()) {
            continue;
        }
        let links = pages
            .get(&at)
            .map(|spec| spec.links.clone())
            .unwrap_or_default();
        queue.extend(links.iter().cloned());
        found.push(Page { url: at, links });
    }
    found.sort();
    found
}

/// Checks that every page reachable from `start` was fetched once and returned with its links.
fn all_fetched_once(site: &HashMap<Url, Spec>, start: &[&str], crawled: &Crawled) {
    let want = reachable(site, start);
    for (at, &times) in &crawled.log.fetched {
        assert!(
            times == 1,
            "`{at}` was fetched {times} times: a page must be fetched once, however many pages \
             link to it (mark a URL as seen when it is queued, not when its fetch is done)"
        );
        assert!(
            want.iter().any(|page| &page.url == at),
            "`{at}` was fetched, but no start page leads to it"
        );
    }
    for page in &want {
        assert!(
            crawled.log.fetched.contains_key(&page.url),
            "`{}` can be reached from the start pages but was never fetched ({} of {} pages \
             fetched)",
            page.url,
            crawled.log.fetched.len(),
            want.len()
        );
    }
    let mut got = crawled.pages.clone();
    got.sort();
    for pair in got.windows(2) {
        assert!(
            pair[0].url != pair[1].url,
            "crawl returned `{}` more than once",
            pair[0].url
        );
    }
    assert!(
        got.len() == want.len(),
        "crawl fetched the {} reachable pages but returned {} pages",
        want.len(),
        got.len()
    );
    for (got, want) in got.iter().zip(&want) {
        assert!(
            got == want,
            "crawl returned `{}` with links {:?}, but that page's links are {:?}",
            got.url,
            got.links,
            want.links
        );
    }
}

fn no_start_pages() {
    let crawled = crawl_in_virtual_time(web(10), &[], 2, 10);
    assert!(
        crawled.pages.is_empty() && crawled.log.fetched.is_empty(),
        "crawl with no start pages fetched {} pages and returned {}",
        crawled.log.fetched.len(),
        crawled.pages.len()
    );
}

fn one_page() {
    let site = leaves(3, Duration::from_millis(500));
    let crawled = crawl_in_virtual_time(site.clone(), &["/p1"], 2, 10);
    all_fetched_once(&site, &["/p1"], &crawled);
}

fn every_page_once() {
    for (n, max_in_flight, per_second) in [(40, 3, 20), (25, 8, 100), (12, 1, 5)] {
        let site = web(n);
        let start = ["/p0", "/p2", "/p0"];
        let crawled = crawl_in_virtual_time(site.clone(), &start, max_in_flight, per_second);
        all_fetched_once(&site, &start, &crawled);
    }
}

fn in_flight_is_capped() {
    for (max_in_flight, pages) in [
        (3, web(40)),
        (1, web(10)),
        (4, leaves(30, Duration::from_secs(1))),
    ] {
        let start = ["/p0", "/p1", "/p5", "/p9", "/p20", "/p29"];
        let start: Vec<&str> = start
            .into_iter()
            .filter(|s| pages.contains_key(*s))
            .collect();
        let crawled = crawl_in_virtual_time(pages.clone(), &start, max_in_flight, 1000);
        assert!(
            crawled.log.most_in_flight <= max_in_flight,
            "max_in_flight is {max_in_flight}, but {} requests were under way at once (a permit \
             must be held until its fetch is done: `let _ = semaphore.acquire().await` drops it \
             at once)",
            crawled.log.most_in_flight
        );
        all_fetched_once(&pages, &start, &crawled);
    }
}

/// Checks that no window of one second holds more than `per_second` starts.
fn spread_out(crawled: &Crawled, per_second: u32) {
    let mut starts: Vec<Instant> = crawled.log.starts.iter().map(|(_, at)| *at).collect();
    starts.sort();
    let r = per_second as usize;
    for (i, pair) in starts.windows(r + 1).enumerate() {
        let within = pair[r] - pair[0];
        assert!(
            within + SLACK >= Duration::from_secs(1),
            "per_second is {per_second}, but {} requests (numbers {} to {} in order of start) \
             started within {} ms (one rate limit for the whole crawl, whose late ticks do not \
             come in a burst)",
            r + 1,
            i + 1,
            i + r + 1,
            within.as_millis()
        );
    }
}

fn starts_are_rate_limited() {
    let start: Vec<String> = (0..20).map(url).collect();
    let start: Vec<&str> = start.iter().map(String::as_str).collect();
    let site = leaves(20, Duration::from_millis(300));
    let crawled = crawl_in_virtual_time(site.clone(), &start, 20, 4);
    spread_out(&crawled, 4);
    all_fetched_once(&site, &start, &crawled);

    // Ten links found after 3 s of waiting must not all start at once: the ticks missed while
    // nothing was ready to start are gone, not owed.
    let mut site = leaves(10, Duration::from_millis(500));
    site.insert(
        "/hub".to_owned(),
        Spec {
            links: (0..10).map(url).collect(),
            latency: Duration::from_secs(3),
        },
    );
    let crawled = crawl_in_virtual_time(site.clone(), &["/hub"], 10, 5);
    spread_out(&crawled, 5);
    all_fetched_once(&site, &["/hub"], &crawled);

    let site = web(40);
    let crawled = crawl_in_virtual_time(site.clone(), &["/p0"], 8, 5);
    spread_out(&crawled, 5);
    all_fetched_once(&site, &["/p0"], &crawled);
}

/// Both limits bind at once. The site is slow at first: a fetch that starts in the crawl's first
/// second takes 3 s, later ones 10 ms. With `max_in_flight` at most `per_second`, the first
/// fetches all start in that second and hold every permit for 3 s while the other pages wait in
/// line; when the permits come back, the quick fetches that follow must still start at most
/// `per_second` in any second. A start slot booked before its permit arrived is long past by then,
/// and every fetch waiting behind one would start at once. One permit and several; the order in
/// which a crawler takes the pages does not matter, since the first ones to start are the slow ones.
fn both_limits_bind() {
    let start: Vec<String> = (0..12).map(url).collect();
    let start: Vec<&str> = start.iter().map(String::as_str).collect();
    let site = leaves(12, Duration::from_millis(10));
    for (max_in_flight, per_second) in [(1, 5), (3, 5), (5, 5)] {
        let crawled = crawl_site_in_virtual_time(
            site.clone(),
            Some(Duration::from_secs(3)),
            &start,
            max_in_flight,
            per_second,
        );
        assert!(
            crawled.log.most_in_flight <= max_in_flight,
            "max_in_flight is {max_in_flight}, but {} requests were under way at once",
            crawled.log.most_in_flight
        );
        spread_out(&crawled, per_second);
        all_fetched_once(&site, &start, &crawled);
    }
}

fn requests_overlap() {
    let start: Vec<String> = (0..16).map(url).collect();
    let start: Vec<&str> = start.iter().map(String::as_str).collect();
    let site = leaves(16, Duration::from_secs(1));
    let crawled = crawl_in_virtual_time(site.clone(), &start, 4, 100);
    all_fetched_once(&site, &start, &crawled);
    assert!(
        crawled.took <= Duration::from_secs(6),
        "16 pages of 1 s each, 4 at a time, should take about 4 s, but the crawl took {:.1} s \
         (of virtual time): fetches did not overlap",
        crawled.took.as_secs_f64()
    );

    let site = web(40);
    let one_by_one: Duration = reachable(&site, &["/p0"])
        .iter()
        .map(|page| site[&page.url].latency)
        .sum();
    let crawled = crawl_in_virtual_time(site.clone(), &["/p0"], 4, 50);
    all_fetched_once(&site, &["/p0"], &crawled);
    assert!(
        crawled.took * 2 <= one_by_one,
        "fetching the 40 pages one by one takes {:.1} s; with 4 in flight the crawl should take \
         well under half that, but it took {:.1} s (of virtual time): fetches did not overlap",
        one_by_one.as_secs_f64(),
        crawled.took.as_secs_f64()
    );
}

fn multi_thread_crawls() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("the check can build a runtime");
    let site = web(30);
    let log = Arc::new(Mutex::new(Log::default()));
    let fetcher: Arc<dyn Fetch> = Arc::new(Site {
        pages: site.clone(),
        log: Arc::clone(&log),
        yields: true,
        slow_at_first: None,
    });
    let pages = runtime.block_on(async {
        tokio::time::timeout(
            Duration::from_secs(10),
            crawl(fetcher, vec![url(0)], 3, 1_000_000),
        )
        .await
        .unwrap_or_else(|_| {
            harness::process::hang("crawl did not finish within 10 s on a multi-thread runtime")
        })
    });
    let log = std::mem::take(&mut *log.lock().unwrap());
    assert!(
        log.most_in_flight <= 3,
        "max_in_flight is 3, but {} requests were under way at once on a multi-thread runtime",
        log.most_in_flight
    );
    all_fetched_once(
        &site,
        &["/p0"],
        &Crawled {
            pages,
            took: Duration::ZERO,
            log,
        },
    );
}

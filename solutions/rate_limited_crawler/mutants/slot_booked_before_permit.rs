//! Mutant: each fetch books its start slot on one shared clock (1/per_second s after the previous one) when it is queued, and only then waits for a permit: while slow fetches hold every permit the booked slots go by, and when the permits come back every fetch whose slot is past starts at once.
//! Expect: wrong-result

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;

use harness::sync::Arc;

/// The tokio this crate runs on, for the checks and the benchmark (they build the runtimes).
pub use tokio;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::{Duration, Instant};

/// The address of a page.
pub type Url = String;

/// What a fetch gives back, once it is done: the links found on the page.
pub type Links = Pin<Box<dyn Future<Output = Vec<Url>> + Send + 'static>>;

/// The site, as the crawler sees it: fetching a page takes a while and gives its links.
pub trait Fetch: Send + Sync + 'static {
    /// Starts fetching the page at `url`; the future finishes with the links on that page.
    /// The request is under way from the future's first poll until it finishes.
    fn fetch(&self, url: &str) -> Links;
}

/// A fetched page.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Page {
    /// Where it was fetched from.
    pub url: Url,
    /// The links on it, as the fetch returned them.
    pub links: Vec<Url>,
}

/// Fetches every page reachable from `start` (the start pages themselves, the pages they link
/// to, the pages those link to, ...) exactly once, and returns them, in any order.
///
/// - At most `max_in_flight` requests are under way at any moment.
/// - At most `per_second` requests start in any one second (across the whole crawl, not per
///   task): starts are spread out, not bunched.
/// - Within those limits requests overlap: while one page is on its way, others are fetched.
///
/// # Panics
///
/// If `max_in_flight` or `per_second` is 0.
pub async fn crawl(
    fetcher: Arc<dyn Fetch>,
    start: Vec<Url>,
    max_in_flight: usize,
    per_second: u32,
) -> Vec<Page> {
    assert!(max_in_flight > 0, "crawl needs max_in_flight of at least 1");
    assert!(per_second > 0, "crawl needs per_second of at least 1");
    let permits = Arc::new(Semaphore::new(max_in_flight));
    let spacing = Duration::from_secs(1) / per_second;
    let mut next_slot: Option<Instant> = None;

    let mut seen: HashSet<Url> = HashSet::new();
    let mut to_fetch: VecDeque<Url> = VecDeque::new();
    for url in start {
        if seen.insert(url.clone()) {
            to_fetch.push_back(url);
        }
    }
    let mut in_flight = JoinSet::new();
    let mut pages = Vec::new();
    loop {
        if let Some(url) = to_fetch.pop_front() {
            // The slot is booked now, before the task waits for a permit.
            let now = Instant::now();
            let slot = next_slot.map_or(now, |next| next.max(now));
            next_slot = Some(slot + spacing);
            let permits = Arc::clone(&permits);
            let links = fetcher.fetch(&url);
            in_flight.spawn(async move {
                let permit = permits
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed");
                tokio::time::sleep_until(slot).await;
                let links = links.await;
                drop(permit);
                Page { url, links }
            });
        } else if let Some(done) = in_flight.join_next().await {
            let page = done.expect("a fetch task panicked");
            for link in &page.links {
                if seen.insert(link.clone()) {
                    to_fetch.push_back(link.clone());
                }
            }
            pages.push(page);
        } else {
            return pages;
        }
    }
}

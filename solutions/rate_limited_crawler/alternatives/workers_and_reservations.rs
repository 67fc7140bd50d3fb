//! Alternative: a fixed set of `max_in_flight` worker tasks pull URLs from one shared channel
//! (so no semaphore is needed: K workers are K fetches at most), and the rate limit is a
//! reservation clock: each start books the next free slot, 1/R s after the previous one, and
//! sleeps until it. A count of URLs queued but not yet done tells when the crawl is over; the
//! worker that brings it to zero sends every worker a stop.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

use harness::sync::{Arc, Mutex as SyncMutex};

/// The tokio this crate runs on, for the checks and the benchmark (they build the runtimes).
pub use tokio;

use tokio::sync::{mpsc, Mutex};
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

/// What the workers share.
struct Shared {
    fetcher: Arc<dyn Fetch>,
    /// The work: `Some(url)` to fetch, `None` to stop.
    queue: mpsc::UnboundedSender<Option<Url>>,
    inbox: Mutex<mpsc::UnboundedReceiver<Option<Url>>>,
    state: SyncMutex<State>,
    /// The earliest moment the next request may start.
    next_slot: SyncMutex<Option<Instant>>,
    spacing: Duration,
    workers: usize,
}

struct State {
    seen: HashSet<Url>,
    /// URLs queued or being fetched.
    unfinished: usize,
    pages: Vec<Page>,
}

impl Shared {
    /// Books the next start slot and waits for it.
    async fn wait_for_slot(&self) {
        let slot = {
            let mut next = self.next_slot.lock().unwrap();
            let now = Instant::now();
            let slot = next.map_or(now, |next| next.max(now));
            *next = Some(slot + self.spacing);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    async fn work(&self) {
        loop {
            let next = self.inbox.lock().await.recv().await;
            let Some(Some(url)) = next else { return };
            self.wait_for_slot().await;
            let links = self.fetcher.fetch(&url).await;
            let mut state = self.state.lock().unwrap();
            for link in &links {
                if state.seen.insert(link.clone()) {
                    state.unfinished += 1;
                    let _ = self.queue.send(Some(link.clone()));
                }
            }
            state.pages.push(Page { url, links });
            state.unfinished -= 1;
            if state.unfinished == 0 {
                for _ in 0..self.workers {
                    let _ = self.queue.send(None);
                }
            }
        }
    }
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
    let (queue, inbox) = mpsc::unbounded_channel();
    let mut state = State {
        seen: HashSet::new(),
        unfinished: 0,
        pages: Vec::new(),
    };
    for url in start {
        if state.seen.insert(url.clone()) {
            state.unfinished += 1;
            let _ = queue.send(Some(url));
        }
    }
    if state.unfinished == 0 {
        return Vec::new();
    }
    let shared = Arc::new(Shared {
        fetcher,
        queue,
        inbox: Mutex::new(inbox),
        state: SyncMutex::new(state),
        next_slot: SyncMutex::new(None),
        spacing: Duration::from_secs(1) / per_second,
        workers: max_in_flight,
    });
    let workers: Vec<_> = (0..max_in_flight)
        .map(|_| {
            let shared = Arc::clone(&shared);
            tokio::spawn(async move { shared.work().await })
        })
        .collect();
    for worker in workers {
        worker.await.expect("a crawler worker panicked");
    }
    let mut state = shared.state.lock().unwrap();
    std::mem::take(&mut state.pages)
}

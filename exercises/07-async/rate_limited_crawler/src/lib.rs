//! A crawler over a slow site: many requests at once, but never too many, and never too fast.
//!
//! Read the lesson first: `cargo xtask lesson rate_limited_crawler`.
//!
//! Your part: [`crawl`], marked `// TODO`.

use std::future::Future;
use std::pin::Pin;

use harness::sync::Arc;

/// The tokio this crate runs on, for the checks and the benchmark (they build the runtimes).
pub use tokio;

// Useful here: `tokio::sync::Semaphore` (`acquire_owned`), `tokio::task::JoinSet`,
// `tokio::time::{interval, Interval, MissedTickBehavior, Duration, Instant, sleep_until}`,
// `std::collections::{HashSet, VecDeque}`.

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
    // TODO: keep the URLs already seen (so no page is fetched twice), run fetches as tasks of
    // their own while a semaphore caps how many are in flight, let a rate limiter shared by all
    // of them space out the starts, and collect the pages until there is nothing left to fetch.
    let _ = (fetcher, start, max_in_flight, per_second);
    todo!("crawl")
}

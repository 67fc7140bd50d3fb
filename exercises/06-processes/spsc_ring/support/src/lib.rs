//! The provided part of the `spsc_ring` kata: where a ring keeps its state. The learner writes
//! the ring itself (`spsc_ring`'s `src/lib.rs`) over the [`Storage`] trait; the checks give it
//! a [`HeapStorage`] between threads (built from the facade, so the model checker sees every
//! access) or a [`MappedStorage`] between processes (a shared file mapping).
//!
//! ```
//! use harness::sync::atomic::Ordering;
//! use spsc_ring_support::{Counter, HeapStorage, Storage};
//!
//! let storage = HeapStorage::new(2);
//! assert_eq!(storage.capacity(), 2);
//! assert_eq!(storage.tail().load(Ordering::Acquire), 0);
//! ```

use std::fs::OpenOptions;
use std::io;
use std::path::Path;

use harness::cell::UnsafeCell;
use harness::sync::atomic::{AtomicUsize, Ordering};
use harness::sync::Arc;
use memmap2::MmapMut;

/// One of the ring's two counters as a storage holds it: an atomic `usize` that can be loaded
/// and stored with a memory ordering.
///
/// It is implemented for the facade's `AtomicUsize` (which the model checker sees) and for
/// `std`'s (which can live in memory shared between processes).
pub trait Counter {
    /// Reads the counter.
    fn load(&self, order: Ordering) -> usize;
    /// Writes the counter.
    fn store(&self, value: usize, order: Ordering);
}

impl Counter for AtomicUsize {
    #[track_caller]
    fn load(&self, order: Ordering) -> usize {
        AtomicUsize::load(self, order)
    }

    #[track_caller]
    fn store(&self, value: usize, order: Ordering) {
        AtomicUsize::store(self, value, order)
    }
}

impl Counter for std::sync::atomic::AtomicUsize {
    fn load(&self, order: Ordering) -> usize {
        std::sync::atomic::AtomicUsize::load(self, order)
    }

    fn store(&self, value: usize, order: Ordering) {
        std::sync::atomic::AtomicUsize::store(self, value, order)
    }
}

/// Where a ring keeps its state: two counters and `capacity()` slots of one `u64` each.
///
/// A new storage has both counters at 0 and holds no item. The ring decides what the counters
/// mean; the storage only holds them.
pub trait Storage {
    /// The type of the two counters.
    type Counter: Counter;

    /// How many slots the storage has (at least 1).
    fn capacity(&self) -> usize;

    /// The consumer's counter: how many items were taken out since the ring was made.
    fn head(&self) -> &Self::Counter;

    /// The producer's counter: how many items were put in since the ring was made.
    fn tail(&self) -> &Self::Counter;

    /// Writes `value` into slot `slot`.
    ///
    /// # Safety
    ///
    /// `slot < self.capacity()`, and no other access to that slot may overlap this one.
    unsafe fn write(&self, slot: usize, value: u64);

    /// Reads slot `slot`.
    ///
    /// # Safety
    ///
    /// `slot < self.capacity()`, and no write to that slot may overlap this read.
    unsafe fn read(&self, slot: usize) -> u64;
}

/// A ring's storage on the heap, built from the facade (`harness::sync::atomic`,
/// `harness::cell::UnsafeCell`): between threads, and seen by the model checkers. Clones share
/// the same storage: give one to the ring's producer and one to its consumer.
#[derive(Clone)]
pub struct HeapStorage(Arc<Heap>);

struct Heap {
    head: AtomicUsize,
    tail: AtomicUsize,
    slots: Box<[UnsafeCell<u64>]>,
}

// SAFETY: the slots are reached only through `Storage::read`/`write`, whose callers promise
// that accesses to one slot never overlap; the counters are atomics.
unsafe impl Send for Heap {}
// SAFETY: as above.
unsafe impl Sync for Heap {}

impl HeapStorage {
    /// A storage of `capacity` slots, both counters at 0.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0.
    pub fn new(capacity: usize) -> HeapStorage {
        assert!(capacity > 0, "a ring needs at least one slot");
        HeapStorage(Arc::new(Heap {
            head: AtomicUsize::new(0).named("head"),
            tail: AtomicUsize::new(0).named("tail"),
            slots: (0..capacity).map(|_| UnsafeCell::new(0)).collect(),
        }))
    }
}

impl Storage for HeapStorage {
    type Counter = AtomicUsize;

    fn capacity(&self) -> usize {
        self.0.slots.len()
    }

    fn head(&self) -> &AtomicUsize {
        &self.0.head
    }

    fn tail(&self) -> &AtomicUsize {
        &self.0.tail
    }

    #[track_caller]
    unsafe fn write(&self, slot: usize, value: u64) {
        self.0.slots[slot].with_mut(|cell| *cell = value);
    }

    #[track_caller]
    unsafe fn read(&self, slot: usize) -> u64 {
        self.0.slots[slot].with(|cell| *cell)
    }
}

/// Where `head` lives in the mapping: a cache line of its own.
const HEAD_AT: usize = 0;
/// Where `tail` lives: another cache line, so the two sides do not fight over one line.
const TAIL_AT: usize = 64;
/// Where the capacity is written (a `u64`), by `create`, for `open`.
const CAPACITY_AT: usize = 128;
/// Where the magic number is written.
const MAGIC_AT: usize = 136;
/// Where slot 0 starts.
const SLOTS_AT: usize = 192;
/// Marks a file made by [`MappedStorage::create`].
const MAGIC: u64 = u64::from_le_bytes(*b"spscring");

/// A ring's storage in a file mapped into memory with `MAP_SHARED` (memmap2's `MmapMut`):
/// every process that maps the same file sees the same bytes. The counters are `std` atomics
/// placed in the mapping (at offsets 0 and 64), the slots follow (from offset 192).
///
/// The facade's atomics cannot live there: they carry a name and a trace handle (and under the
/// model checker they are handles into the checker's own tables), so they are not plain memory
/// that another process could read. `std::sync::atomic::AtomicUsize` is exactly a `usize` in
/// memory, and the hardware's atomic instructions work the same between processes as between
/// threads.
pub struct MappedStorage {
    /// Keeps the mapping alive; `base` points into it.
    _map: MmapMut,
    base: *mut u8,
    capacity: usize,
}

// SAFETY: the mapping moves with the value; the counters are atomics and the slots are reached
// only through `Storage::read`/`write`, whose callers promise that accesses never overlap.
unsafe impl Send for MappedStorage {}
// SAFETY: as above.
unsafe impl Sync for MappedStorage {}

impl MappedStorage {
    /// Creates (or truncates) the file at `path`, sized for `capacity` slots, and maps it. The
    /// new file is all zeros: both counters at 0, no item.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0.
    pub fn create(path: &Path, capacity: usize) -> io::Result<MappedStorage> {
        assert!(capacity > 0, "a ring needs at least one slot");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        file.set_len((SLOTS_AT + 8 * capacity) as u64)?;
        // SAFETY: the file is ours to share; every access to it goes through this module.
        let mut map = unsafe { MmapMut::map_mut(&file)? };
        map[CAPACITY_AT..CAPACITY_AT + 8].copy_from_slice(&(capacity as u64).to_ne_bytes());
        map[MAGIC_AT..MAGIC_AT + 8].copy_from_slice(&MAGIC.to_ne_bytes());
        Ok(MappedStorage::over(map, capacity))
    }

    /// Maps the file at `path`, made by [`MappedStorage::create`] (in this process or another).
    pub fn open(path: &Path) -> io::Result<MappedStorage> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        // SAFETY: as in `create`.
        let map = unsafe { MmapMut::map_mut(&file)? };
        let word = |at: usize| -> Option<u64> {
            let bytes = map.get(at..at + 8)?;
            Some(u64::from_ne_bytes(bytes.try_into().ok()?))
        };
        let invalid = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
        if word(MAGIC_AT) != Some(MAGIC) {
            return Err(invalid(format!(
                "{} was not made by MappedStorage::create",
                path.display()
            )));
        }
        let capacity = word(CAPACITY_AT).unwrap_or(0) as usize;
        if capacity == 0 || map.len() != SLOTS_AT + 8 * capacity {
            return Err(invalid(format!(
                "{} holds {} bytes, not a ring of {capacity} slots",
                path.display(),
                map.len()
            )));
        }
        Ok(MappedStorage::over(map, capacity))
    }

    fn over(mut map: MmapMut, capacity: usize) -> MappedStorage {
        let base = map.as_mut_ptr();
        MappedStorage {
            _map: map,
            base,
            capacity,
        }
    }

    fn counter(&self, at: usize) -> &std::sync::atomic::AtomicUsize {
        // SAFETY: the mapping is page-aligned and at least SLOTS_AT bytes long, `at` is a
        // multiple of 64, and the bytes there are only ever used as this atomic.
        unsafe { &*(self.base.add(at) as *const std::sync::atomic::AtomicUsize) }
    }

    fn slot(&self, slot: usize) -> *mut u64 {
        assert!(
            slot < self.capacity,
            "slot {slot} of a ring of {}",
            self.capacity
        );
        // SAFETY: in bounds (checked above), and 8-aligned.
        unsafe { self.base.add(SLOTS_AT + 8 * slot) as *mut u64 }
    }
}

impl Storage for MappedStorage {
    type Counter = std::sync::atomic::AtomicUsize;

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn head(&self) -> &std::sync::atomic::AtomicUsize {
        self.counter(HEAD_AT)
    }

    fn tail(&self) -> &std::sync::atomic::AtomicUsize {
        self.counter(TAIL_AT)
    }

    unsafe fn write(&self, slot: usize, value: u64) {
        self.slot(slot).write(value);
    }

    unsafe fn read(&self, slot: usize) -> u64 {
        self.slot(slot).read()
    }
}

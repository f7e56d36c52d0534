//! A delta-base cache cheaper per call than gix's least-recently-used one.
//!
//! gix puts every object it resolves from a delta into the cache and asks it for each delta base,
//! about once per tree a diff reads. Profiled on 100 000 commits (docs/performance.md), its cache
//! took a fifth of mining's CPU: the standard library's keyed hash on every call, a list to
//! reorder on every hit, and a fresh allocation for most objects put. This one hashes with
//! rustc-hash's `FxHasher`, approximates least-recently-used with the clock algorithm (a hit only
//! sets a flag), and gives a new object the buffer of the last one evicted when its size suits.

use gix::objs::Kind;
use gix::odb::pack::cache::DecodeEntry;
use rustc_hash::FxHashMap;

/// Objects by pack and offset. The buffers of the objects it holds take at most `limit` bytes
/// (their bookkeeping aside, as in gix's caches).
pub(crate) struct BaseCache {
    slots: Vec<Slot>,
    /// Slot of each cached object.
    map: FxHashMap<(u32, u64), usize>,
    /// Slots whose object was evicted and not replaced.
    vacant: Vec<usize>,
    /// Where the clock looks next for an object to evict.
    hand: usize,
    /// The capacity of the buffers of the cached objects.
    bytes: usize,
    limit: usize,
    /// The buffer of the last evicted object, for the next object put.
    spare: Vec<u8>,
}

struct Slot {
    key: (u32, u64),
    data: Vec<u8>,
    kind: Kind,
    compressed_size: usize,
    /// Read since the clock last passed.
    used: bool,
    /// Whether the slot holds an object; a vacant one has an empty buffer and no map entry.
    cached: bool,
}

impl BaseCache {
    pub(crate) fn new(limit: usize) -> Self {
        BaseCache {
            slots: Vec::new(),
            map: FxHashMap::default(),
            vacant: Vec::new(),
            hand: 0,
            bytes: 0,
            limit,
            spare: Vec::new(),
        }
    }

    /// Empties the slot of the next object the clock finds unread since it last passed.
    fn evict_one(&mut self) {
        loop {
            if self.hand >= self.slots.len() {
                self.hand = 0;
            }
            let index = self.hand;
            self.hand += 1;
            let slot = &mut self.slots[index];
            if !slot.cached {
                continue;
            }
            if std::mem::take(&mut slot.used) {
                continue;
            }
            slot.cached = false;
            self.map.remove(&slot.key);
            self.bytes -= slot.data.capacity();
            self.spare = std::mem::take(&mut slot.data);
            self.vacant.push(index);
            return;
        }
    }

    /// A buffer holding `data`: the spare one when it is not much larger than the object (it
    /// would crowd others out), else a new one of the object's size. The spare comes from an
    /// eviction in the same put, which left at least its size free.
    fn buffer_for(&mut self, data: &[u8]) -> Vec<u8> {
        let mut buffer = std::mem::take(&mut self.spare);
        if buffer.capacity() < data.len() || buffer.capacity() > 2 * data.len() {
            buffer = Vec::with_capacity(data.len());
        }
        buffer.clear();
        buffer.extend_from_slice(data);
        buffer
    }
}

impl DecodeEntry for BaseCache {
    fn put(&mut self, pack_id: u32, offset: u64, data: &[u8], kind: Kind, compressed_size: usize) {
        let key = (pack_id, offset);
        if data.len() > self.limit || self.map.contains_key(&key) {
            return;
        }
        while self.bytes + data.len() > self.limit && !self.map.is_empty() {
            self.evict_one();
        }
        let data = self.buffer_for(data);
        self.bytes += data.capacity();
        debug_assert!(self.bytes <= self.limit, "{} bytes held", self.bytes);
        let slot = Slot {
            key,
            data,
            kind,
            compressed_size,
            used: false,
            cached: true,
        };
        let index = if let Some(index) = self.vacant.pop() {
            self.slots[index] = slot;
            index
        } else {
            self.slots.push(slot);
            self.slots.len() - 1
        };
        self.map.insert(key, index);
    }

    fn get(&mut self, pack_id: u32, offset: u64, out: &mut Vec<u8>) -> Option<(Kind, usize)> {
        let slot = &mut self.slots[*self.map.get(&(pack_id, offset))?];
        slot.used = true;
        out.clear();
        out.extend_from_slice(&slot.data);
        Some((slot.kind, slot.compressed_size))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(cache: &mut BaseCache, offset: u64) -> Option<Vec<u8>> {
        let mut out = vec![9; 3];
        cache.get(0, offset, &mut out).map(|(kind, size)| {
            assert_eq!((kind, size), (Kind::Tree, offset as usize));
            out
        })
    }

    fn put(cache: &mut BaseCache, offset: u64, len: usize) {
        cache.put(
            0,
            offset,
            &vec![offset as u8; len],
            Kind::Tree,
            offset as usize,
        );
    }

    #[test]
    fn returns_what_was_put_and_nothing_else() {
        let mut cache = BaseCache::new(1 << 20);
        put(&mut cache, 1, 10);
        put(&mut cache, 2, 0);
        assert_eq!(get(&mut cache, 1), Some(vec![1; 10]));
        assert_eq!(get(&mut cache, 2), Some(Vec::new()));
        assert_eq!(get(&mut cache, 3), None);
        assert_eq!(cache.get(1, 1, &mut Vec::new()), None, "another pack");
    }

    #[test]
    fn stays_within_its_limit_and_evicts_the_unread_first() {
        // Room for eight objects of 100 bytes.
        let mut cache = BaseCache::new(800);
        for offset in 1..=8 {
            put(&mut cache, offset, 100);
        }
        assert!(get(&mut cache, 1).is_some());
        // The clock passes 1 (read: spared once) and evicts 2, the first unread.
        put(&mut cache, 9, 100);
        assert!(cache.bytes <= 800);
        assert_eq!(get(&mut cache, 2), None);
        assert_eq!(get(&mut cache, 1), Some(vec![1; 100]));
        assert_eq!(get(&mut cache, 9), Some(vec![9; 100]));
        // One object needing the room of three evicts the next three unread: 3, 4 and 5.
        put(&mut cache, 10, 300);
        assert!(cache.bytes <= 800);
        let held: Vec<u64> = (1..=10).filter(|&o| get(&mut cache, o).is_some()).collect();
        assert_eq!(held, [1, 6, 7, 8, 9, 10]);
        assert_eq!(get(&mut cache, 10), Some(vec![10; 300]));
    }

    #[test]
    fn evicts_when_every_object_was_read() {
        let mut cache = BaseCache::new(300);
        for offset in 1..=3 {
            put(&mut cache, offset, 100);
            assert!(get(&mut cache, offset).is_some());
        }
        // The clock clears every flag on its first turn and evicts the first object on its second.
        put(&mut cache, 4, 100);
        assert_eq!(get(&mut cache, 1), None);
        assert_eq!(get(&mut cache, 4), Some(vec![4; 100]));
    }

    /// Random puts and gets of objects of random sizes: every hit returns the object put under
    /// its key, and the bytes counted are the capacities of the buffers held, within the limit.
    #[test]
    fn random_use_keeps_its_books() {
        let mut cache = BaseCache::new(40_000);
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut hits, mut puts) = (0, 0);
        for _ in 0..20_000 {
            let offset = next() % 200;
            let len = (offset as usize * 7) % 1_200;
            let object =
                |offset: u64| -> Vec<u8> { (0..len).map(|i| (i as u64 ^ offset) as u8).collect() };
            if next() % 2 == 0 {
                cache.put(3, offset, &object(offset), Kind::Blob, len);
                puts += 1;
            } else {
                let mut out = Vec::new();
                if let Some((kind, size)) = cache.get(3, offset, &mut out) {
                    assert_eq!((kind, size), (Kind::Blob, len));
                    assert_eq!(out, object(offset));
                    hits += 1;
                }
            }
            let held: usize = cache
                .slots
                .iter()
                .filter(|slot| slot.cached)
                .map(|slot| slot.data.capacity())
                .sum();
            assert_eq!(cache.bytes, held);
            assert!(cache.bytes <= cache.limit);
            assert_eq!(
                cache.map.len(),
                cache.slots.iter().filter(|s| s.cached).count()
            );
        }
        assert!(hits > 1_000 && puts > 1_000, "{hits} hits, {puts} puts");
    }

    #[test]
    fn keeps_no_object_above_its_limit() {
        let mut cache = BaseCache::new(800);
        put(&mut cache, 1, 100);
        put(&mut cache, 2, 801);
        assert_eq!(get(&mut cache, 2), None);
        assert_eq!(get(&mut cache, 1), Some(vec![1; 100]));
        put(&mut cache, 3, 800);
        assert_eq!(get(&mut cache, 3), Some(vec![3; 800]));
        assert_eq!(get(&mut cache, 1), None);
    }

    #[test]
    fn a_second_put_of_an_object_changes_nothing() {
        let mut cache = BaseCache::new(800);
        put(&mut cache, 1, 100);
        put(&mut cache, 1, 100);
        assert_eq!(cache.bytes, 100);
        assert_eq!(cache.map.len(), 1);
    }
}

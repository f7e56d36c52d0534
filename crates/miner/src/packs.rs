//! Finding objects in the repository's packs through one hashed index.
//!
//! gix finds an object by a binary search in each pack's index. Mining looks up every commit and
//! several trees per commit, and on long histories those searches took a tenth of the time
//! (docs/performance.md). Here the ids of all packs go into one open-addressing table built once,
//! shared by the threads; an object it does not hold (loose, in an alternate, in a pack written
//! since) is read through gix as before.

use std::cell::RefCell;
use std::path::PathBuf;

use gix::objs::{Data, Find};
use gix::odb::pack::Bundle;
use gix::odb::pack::cache::DecodeEntry;
use gix::odb::pack::data::decode::entry::ResolvedBase;
use gix::oid;

use crate::base_cache::BaseCache;

/// The objects of every pack, by id.
pub(crate) struct PackIndex {
    packs: Vec<Bundle>,
    /// Linear probing from the slot an id's leading bytes name, about three quarters full. A slot
    /// holds the whole id and where the object is, so that a lookup reads one slot (one cache
    /// line, mostly) instead of the table, the pack index's id and then its offset: those three
    /// reads from memory were a tenth of the mining threads' time (docs/performance.md).
    slots: Vec<Slot>,
}

/// One object of [`PackIndex`]: 32 bytes, aligned so that two fill a cache line.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    id: [u8; 20],
    /// The object's pack in [`PackIndex::packs`]; [`Slot::EMPTY`] for an empty slot.
    pack: u32,
    offset: u64,
}

impl Slot {
    const EMPTY: Slot = Slot {
        id: [0; 20],
        pack: u32::MAX,
        offset: 0,
    };
}

impl PackIndex {
    /// The index of the packs in the repository's own object folder; `None` when it has no
    /// pack, when its ids are not SHA-1, or when replacement refs change what an id means (gix
    /// applies them).
    pub(crate) fn open(repo: &gix::Repository) -> Option<PackIndex> {
        let store = repo.objects.store_ref();
        if store.replacements().next().is_some()
            || allocations_limited(repo)
            || repo.object_hash() != gix::hash::Kind::Sha1
        {
            return None;
        }
        let mut paths: Vec<PathBuf> = std::fs::read_dir(store.path().join("pack"))
            .ok()?
            .filter_map(|entry| Some(entry.ok()?.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "idx"))
            .collect();
        paths.sort();
        // A pack that does not open is left to gix, which reports what is wrong with it.
        let mut packs: Vec<Bundle> = paths
            .iter()
            .filter_map(|path| Bundle::at(path, repo.object_hash()).ok())
            .collect();
        // Delta-base caches key objects by pack id and offset; the id a pack gets on opening is a
        // checksum of its path, which two packs may share.
        for (id, pack) in (0u32..).zip(packs.iter_mut()) {
            pack.pack.id = id;
        }
        let total: usize = packs
            .iter()
            .map(|pack| pack.index.num_objects() as usize)
            .sum();
        if total == 0 || packs.len() >= u32::MAX as usize {
            return None;
        }
        // About 43 bytes an object: a history too large for that is read through gix.
        let len = total + total / 3 + 1;
        let mut slots = Vec::new();
        slots.try_reserve_exact(len).ok()?;
        slots.resize(len, Slot::EMPTY);
        let mut index = PackIndex { packs, slots };
        for (p, pack) in (0u32..).zip(&index.packs) {
            for position in 0..pack.index.num_objects() {
                let id = pack.index.oid_at_index(position);
                let mut slot = index.slot(id);
                while index.slots[slot].pack != Slot::EMPTY.pack {
                    slot = index.next(slot);
                }
                index.slots[slot] = Slot {
                    id: id.as_bytes().try_into().ok()?,
                    pack: p,
                    offset: pack.index.pack_offset_at_index(position),
                };
            }
        }
        Some(index)
    }

    /// The slot an id's probe starts at: its leading 64 bits scaled to the table's length.
    fn slot(&self, id: &oid) -> usize {
        let lead = u64::from_be_bytes(
            id.as_bytes()[..8]
                .try_into()
                .expect("ids are at least 20 bytes"),
        );
        ((u128::from(lead) * self.slots.len() as u128) >> 64) as usize
    }

    fn next(&self, slot: usize) -> usize {
        if slot + 1 == self.slots.len() {
            0
        } else {
            slot + 1
        }
    }

    /// The pack holding `id` and the object's offset in it.
    fn locate(&self, id: &oid) -> Option<(&Bundle, u64)> {
        let wanted: &[u8; 20] = id.as_bytes().try_into().ok()?;
        let mut slot = self.slot(id);
        loop {
            let found = &self.slots[slot];
            if found.pack == Slot::EMPTY.pack {
                return None;
            }
            if &found.id == wanted {
                return Some((&self.packs[found.pack as usize], found.offset));
            }
            slot = self.next(slot);
        }
    }
}

/// Whether gix caps the memory an object may take (`gitoxide.objects.allocLimit`,
/// `GIT_ALLOC_LIMIT`, or a repository owned by someone else): such repositories are read through
/// gix, which applies the cap.
fn allocations_limited(repo: &gix::Repository) -> bool {
    repo.git_dir_trust() == gix::sec::Trust::Reduced
        || repo
            .config_snapshot()
            .integer("gitoxide.objects.allocLimit")
            .is_some()
        || std::env::var_os("GIT_ALLOC_LIMIT").is_some()
}

/// One thread's way to objects: the shared [`PackIndex`] with this thread's inflater and
/// delta-base cache, and gix for what the index does not hold.
pub(crate) struct PackedObjects<'a> {
    index: Option<&'a PackIndex>,
    fallback: gix::OdbHandle,
    inflate: RefCell<gix::zlib::Inflate>,
    cache: RefCell<Box<dyn DecodeEntry + 'a>>,
}

impl<'a> PackedObjects<'a> {
    pub(crate) fn new(
        index: Option<&'a PackIndex>,
        repo: &gix::Repository,
        cache: Box<dyn DecodeEntry + 'a>,
    ) -> Self {
        PackedObjects {
            index,
            fallback: repo.objects.clone(),
            inflate: RefCell::new(gix::zlib::Inflate::default()),
            cache: RefCell::new(cache),
        }
    }

    /// The object database behind the index, for what it does not answer (object headers).
    pub(crate) fn odb(&self) -> &gix::OdbHandle {
        &self.fallback
    }

    /// `id` decoded from its pack into `buffer`, or `None` when no pack of the index holds it or
    /// its delta base is outside its pack.
    fn read_packed(&self, id: &oid, buffer: &mut Vec<u8>) -> Option<gix::objs::Kind> {
        let (pack, offset) = self.index?.locate(id)?;
        let entry = pack.pack.entry(offset).ok()?;
        let resolve = |base: &oid, _: &mut Vec<u8>| -> gix::error::Result<Option<ResolvedBase>> {
            Ok(match pack.index.lookup(base) {
                Some(position) => Some(ResolvedBase::InPack(
                    pack.pack.entry(pack.index.pack_offset_at_index(position))?,
                )),
                None => None,
            })
        };
        let outcome = pack
            .pack
            .decode_entry(
                entry,
                buffer,
                &mut self.inflate.borrow_mut(),
                &resolve,
                &mut **self.cache.borrow_mut(),
            )
            .ok()?;
        Some(outcome.kind)
    }
}

/// A delta-base cache the diff threads share, in shards that each have their own lock: with a
/// cache per thread, each decoded the trees the other had already decoded, and each filled its
/// own memory.
pub(crate) struct SharedCache {
    shards: Vec<std::sync::Mutex<Box<dyn DecodeEntry + Send>>>,
}

/// Enough shards that two threads rarely wait for each other.
const SHARDS: usize = 16;

impl SharedCache {
    pub(crate) fn new(repo: &gix::Repository) -> Self {
        let bytes = cache_bytes(repo);
        SharedCache {
            shards: (0..SHARDS)
                .map(|_| std::sync::Mutex::new(delta_base_cache(bytes.map(|b| b / SHARDS))))
                .collect(),
        }
    }

    fn shard(
        &self,
        pack_id: u32,
        offset: u64,
    ) -> std::sync::MutexGuard<'_, Box<dyn DecodeEntry + Send>> {
        let key = (offset ^ (u64::from(pack_id) << 40)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let shard = &self.shards[(key >> 60) as usize % SHARDS];
        // A thread that panicked while holding it left nothing half-written that matters here.
        shard
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl DecodeEntry for &SharedCache {
    fn put(
        &mut self,
        pack_id: u32,
        offset: u64,
        data: &[u8],
        kind: gix::objs::Kind,
        compressed_size: usize,
    ) {
        self.shard(pack_id, offset)
            .put(pack_id, offset, data, kind, compressed_size);
    }

    fn get(
        &mut self,
        pack_id: u32,
        offset: u64,
        out: &mut Vec<u8>,
    ) -> Option<(gix::objs::Kind, usize)> {
        self.shard(pack_id, offset).get(pack_id, offset, out)
    }
}

/// `core.deltaBaseCacheLimit` (which `GIX_PACK_CACHE_MEMORY` overrides) in bytes, if set.
fn cache_bytes(repo: &gix::Repository) -> Option<usize> {
    repo.config_snapshot()
        .integer("core.deltaBaseCacheLimit")
        .and_then(|bytes| usize::try_from(bytes).ok())
}

/// A delta-base cache of `bytes`, else gix's default of 64 objects.
fn delta_base_cache(bytes: Option<usize>) -> Box<dyn DecodeEntry + Send> {
    use gix::odb::pack::cache::{Never, lru};
    match bytes {
        None => Box::<lru::StaticLinkedList<64>>::default(),
        Some(0) => Box::new(Never),
        Some(bytes) => Box::new(BaseCache::new(bytes)),
    }
}

impl Find for PackedObjects<'_> {
    fn try_find<'b>(
        &self,
        id: &oid,
        buffer: &'b mut Vec<u8>,
    ) -> gix::error::Result<Option<Data<'b>>> {
        match self.read_packed(id, buffer) {
            Some(kind) => Ok(Some(Data {
                kind,
                object_hash: id.kind(),
                data: buffer.as_slice(),
            })),
            // gix reads it, or says what is wrong.
            None => self.fallback.try_find(id, buffer),
        }
    }
}

//! `SmallMap`: a process's links and monitors, the first entry kept inline.
//!
//! Most processes hold at most one entry in each of these maps for life: a link to the
//! parent, the supervisor's monitor while it shuts the process down. An `OrderedMap`
//! holds even one entry on the heap, so a process that had never been monitored
//! allocated a block the first time it was, from heap memory that nothing had touched
//! yet. The first restart storm after a tree's start-up did that for every child,
//! which the storms after it, reusing the room their slots kept, did not (ADR 007).
//! Here a lone entry lives in the map itself, and only a second one moves the map to
//! the heap; the enum is no larger than the `OrderedMap` it wraps.

use super::ordered::{self, OrderedMap};

/// An ordered map that holds its only entry inline (see the module documentation).
#[derive(Clone, Debug, Default)]
pub(crate) enum SmallMap<K, V> {
    /// No entry, nothing allocated.
    #[default]
    Empty,
    /// The only entry.
    One(K, V),
    /// On the heap, once the map has needed room for two entries; it may hold fewer
    /// since. It keeps that room, for the next process in a slot (`Process::settle`).
    Many(OrderedMap<K, V>),
}

/// A set of pids on the same representation.
pub(crate) type SmallSet<K> = SmallMap<K, ()>;

/// The room a map moves to when a second entry arrives.
const FIRST_ROOM: usize = 2;

// Keys and values are pids, references and `()`: copying one out of the inline entry
// costs less than moving the whole map out to take it.
impl<K: Ord + Copy, V: Copy> SmallMap<K, V> {
    /// Inserts or replaces; returns true when the key was not present.
    #[inline]
    pub(crate) fn insert(&mut self, key: K, value: V) -> bool {
        match self {
            SmallMap::Many(map) => map.insert(key, value),
            SmallMap::Empty => {
                *self = SmallMap::One(key, value);
                true
            }
            SmallMap::One(k, v) if *k == key => {
                *v = value;
                false
            }
            SmallMap::One(k, v) => {
                let mut map = OrderedMap::with_capacity(FIRST_ROOM);
                map.insert(*k, *v);
                map.insert(key, value);
                *self = SmallMap::Many(map);
                true
            }
        }
    }

    /// Removes `key`; returns its value if it was present.
    #[inline]
    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        match self {
            SmallMap::Many(map) => map.remove(key),
            SmallMap::One(k, v) if k == key => {
                let v = *v;
                *self = SmallMap::Empty;
                Some(v)
            }
            SmallMap::One(..) | SmallMap::Empty => None,
        }
    }

    pub(crate) fn contains_key(&self, key: &K) -> bool {
        match self {
            SmallMap::Many(map) => map.contains_key(key),
            SmallMap::One(k, _) => k == key,
            SmallMap::Empty => false,
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            SmallMap::Many(map) => map.len(),
            SmallMap::One(..) => 1,
            SmallMap::Empty => 0,
        }
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Live entries in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        let (one, many) = match self {
            SmallMap::Many(map) => (None, Some(map.iter())),
            SmallMap::One(k, v) => (Some((k, v)), None),
            SmallMap::Empty => (None, None),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }

    /// Takes every live entry out, in key order. A map on the heap keeps its room.
    #[inline]
    pub(crate) fn drain(&mut self) -> Drain<'_, K, V> {
        match self {
            SmallMap::Many(map) => Drain::Many(map.drain()),
            SmallMap::One(k, v) => {
                let entry = (*k, *v);
                *self = SmallMap::Empty;
                Drain::One(Some(entry))
            }
            SmallMap::Empty => Drain::One(None),
        }
    }

    /// How many entries the map has room for on the heap (none while inline).
    pub(crate) fn capacity(&self) -> usize {
        match self {
            SmallMap::Many(map) => map.capacity(),
            SmallMap::One(..) | SmallMap::Empty => 0,
        }
    }
}

/// The live entries [`SmallMap::drain`] takes out, in key order.
pub(crate) enum Drain<'a, K, V> {
    Many(ordered::Drain<'a, K, V>),
    One(Option<(K, V)>),
}

impl<K, V> Iterator for Drain<'_, K, V> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        match self {
            Drain::Many(entries) => entries.next(),
            Drain::One(one) => one.take(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::{Pid, Ref};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn is_no_larger_than_the_map_it_wraps() {
        let wrapped = std::mem::size_of::<OrderedMap<Ref, Pid>>();
        assert_eq!(std::mem::size_of::<SmallMap<Ref, Pid>>(), wrapped);
        assert_eq!(std::mem::size_of::<SmallSet<Pid>>(), wrapped);
    }

    #[test]
    fn one_entry_allocates_nothing_and_a_second_moves_it_to_the_heap() {
        let mut m = SmallMap::default();
        assert!(m.insert(7u32, 'a'));
        assert!(matches!(m, SmallMap::One(7, 'a')));
        assert!(!m.insert(7, 'b'));
        assert!(matches!(m, SmallMap::One(7, 'b')));
        assert!(m.insert(3, 'c'));
        let SmallMap::Many(map) = &m else {
            panic!("a second entry stays inline: {m:?}");
        };
        assert_eq!(map.capacity(), FIRST_ROOM);
        let entries: Vec<_> = m.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(entries, vec![(3, 'c'), (7, 'b')]);
        // Emptied, it keeps its room for the next process in the slot.
        assert_eq!(m.drain().count(), 2);
        assert!(m.is_empty() && m.capacity() == FIRST_ROOM);
    }

    proptest! {
        // The map behaves exactly as a BTreeMap under any sequence of operations.
        #[test]
        fn matches_a_btreemap(ops in prop::collection::vec((0u8..3, 0u8..6, any::<u16>()), 0..60)) {
            let mut ours = SmallMap::default();
            let mut model = BTreeMap::new();
            for (op, key, value) in ops {
                match op {
                    0 => prop_assert_eq!(ours.insert(key, value), model.insert(key, value).is_none()),
                    1 => prop_assert_eq!(ours.remove(&key), model.remove(&key)),
                    _ => {
                        let drained: Vec<_> = ours.drain().collect();
                        prop_assert_eq!(drained, std::mem::take(&mut model).into_iter().collect::<Vec<_>>());
                    }
                }
                prop_assert_eq!(ours.len(), model.len());
                prop_assert_eq!(ours.is_empty(), model.is_empty());
                prop_assert_eq!(ours.contains_key(&key), model.contains_key(&key));
                let a: Vec<_> = ours.iter().map(|(k, v)| (*k, *v)).collect();
                let b: Vec<_> = model.iter().map(|(k, v)| (*k, *v)).collect();
                prop_assert_eq!(a, b);
            }
        }
    }
}

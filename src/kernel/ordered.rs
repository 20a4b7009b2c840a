//! `OrderedMap`: the map behind a process's links and monitors.
//!
//! Keys are monitor references and pids, both handed out in increasing order, so new
//! entries almost always go at the end: a sorted `Vec` takes them in O(1), finds one in
//! O(log n), and iterates in key order (monitor creation order, partner spawn order) as
//! PROC-6 wants. Removal leaves a tombstone, and the vector is compacted once tombstones
//! outnumber live entries, so a supervisor unlinking children one by one never pays an
//! O(n) shift per removal. A process's own links and monitors use it through
//! `SmallMap`, which keeps a lone entry inline.
//!
//! A lookup first tries where the last one landed and its two neighbours: a supervisor
//! walks its children, links and pid index in order one way or the other, and a binary
//! search over a thousand entries is about ten branches the predictor cannot learn.

use std::cell::Cell;

/// A map from `K` to `V` ordered by key, tuned for keys that arrive in increasing order.
#[derive(Clone, Debug)]
pub(crate) struct OrderedMap<K, V> {
    entries: Vec<(K, Option<V>)>,
    // Both `u32`, so the map stays four words (a process holds three).
    live: u32,
    /// Where the last lookup found its key: only a hint, checked before use.
    finger: Cell<u32>,
}

impl<K, V> Default for OrderedMap<K, V> {
    fn default() -> Self {
        OrderedMap {
            entries: Vec::new(),
            live: 0,
            finger: Cell::new(0),
        }
    }
}

impl<K: Ord + Copy, V> OrderedMap<K, V> {
    fn find(&self, key: &K) -> Result<usize, usize> {
        let f = self.finger.get() as usize;
        for i in [f, f.wrapping_sub(1), f.wrapping_add(1)] {
            if self.entries.get(i).is_some_and(|(k, _)| k == key) {
                self.finger.set(i as u32);
                return Ok(i);
            }
        }
        let found = self.entries.binary_search_by(|(k, _)| k.cmp(key));
        if let Ok(i) = found {
            self.finger.set(i as u32);
        }
        found
    }

    /// An empty map with room for `n` entries.
    pub(crate) fn with_capacity(n: usize) -> Self {
        OrderedMap {
            entries: Vec::with_capacity(n),
            live: 0,
            finger: Cell::new(0),
        }
    }

    /// Inserts or replaces; returns true when the key was not present.
    pub(crate) fn insert(&mut self, key: K, value: V) -> bool {
        if self.entries.last().is_none_or(|(last, _)| *last < key) {
            self.entries.push((key, Some(value)));
            self.live += 1;
            return true;
        }
        match self.find(&key) {
            Ok(i) => {
                let fresh = self.entries[i].1.is_none();
                self.entries[i].1 = Some(value);
                self.live += u32::from(fresh);
                fresh
            }
            Err(i) => {
                self.entries.insert(i, (key, Some(value)));
                self.live += 1;
                true
            }
        }
    }

    /// Removes `key`; returns its value if it was present.
    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.find(key).ok()?;
        self.remove_at(i)
    }

    fn remove_at(&mut self, i: usize) -> Option<V> {
        let value = self.entries[i].1.take()?;
        self.live -= 1;
        let dead = self.entries.len() - self.live as usize;
        if self.live == 0 {
            self.entries.clear();
        } else if dead > 8 && dead > self.live as usize {
            self.entries.retain(|(_, v)| v.is_some());
        }
        Some(value)
    }

    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        let i = self.find(key).ok()?;
        self.entries[i].1.as_ref()
    }

    pub(crate) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = self.find(key).ok()?;
        self.entries[i].1.as_mut()
    }

    /// Live entries from `key` on (inclusive), in key order.
    pub(crate) fn iter_from(&self, key: &K) -> impl Iterator<Item = (&K, &V)> {
        let start = match self.find(key) {
            Ok(i) | Err(i) => i,
        };
        self.entries[start..]
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    }

    /// Live entries in reverse key order.
    pub(crate) fn iter_rev(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries
            .iter()
            .rev()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    }

    pub(crate) fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_ok_and(|i| self.entries[i].1.is_some())
    }

    pub(crate) fn len(&self) -> usize {
        self.live as usize
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Live entries in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    }

    /// Takes every live entry out, in key order. The map keeps its capacity, for a
    /// dead process's maps to serve the next one in its slot
    /// ([`super::process::Process::settle`]).
    pub(crate) fn drain(&mut self) -> Drain<'_, K, V> {
        self.live = 0;
        Drain(self.entries.drain(..))
    }

    /// How many entries the map can hold without allocating.
    pub(crate) fn capacity(&self) -> usize {
        self.entries.capacity()
    }
}

/// The live entries [`OrderedMap::drain`] takes out, in key order.
pub(crate) struct Drain<'a, K, V>(std::vec::Drain<'a, (K, Option<V>)>);

impl<K, V> Iterator for Drain<'_, K, V> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.0.find_map(|(k, v)| v.map(|v| (k, v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn keeps_key_order_whatever_the_insertion_order() {
        let mut m = OrderedMap::default();
        for k in [5, 1, 9, 3] {
            assert!(m.insert(k, k * 10));
        }
        assert!(!m.insert(3, 31));
        let keys: Vec<_> = m.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(keys, vec![(1, 10), (3, 31), (5, 50), (9, 90)]);
    }

    proptest! {
        // The map behaves exactly as a BTreeMap under any sequence of operations.
        #[test]
        // Whatever the finger was left at by earlier operations.
        fn matches_a_btreemap(ops in prop::collection::vec((any::<bool>(), 0u8..40, any::<u16>(), 0usize..48), 0..300)) {
            let mut ours = OrderedMap::default();
            let mut model = BTreeMap::new();
            for (insert, key, value, guess) in ops {
                if insert {
                    prop_assert_eq!(ours.insert(key, value), model.insert(key, value).is_none());
                } else {
                    prop_assert_eq!(ours.remove(&key), model.remove(&key));
                }
                prop_assert_eq!(ours.len(), model.len());
                prop_assert_eq!(ours.contains_key(&key), model.contains_key(&key));
                prop_assert_eq!(ours.get(&key), model.get(&key));
                let probe = guess as u8;
                prop_assert_eq!(ours.get(&probe), model.get(&probe));
                let from: Vec<_> = ours.iter_from(&key).map(|(k, v)| (*k, *v)).collect();
                let model_from: Vec<_> = model.range(key..).map(|(k, v)| (*k, *v)).collect();
                prop_assert_eq!(from, model_from);
            }
            let a: Vec<_> = ours.iter().map(|(k, v)| (*k, *v)).collect();
            let b: Vec<_> = model.iter().map(|(k, v)| (*k, *v)).collect();
            prop_assert_eq!(a, b);
            let a: Vec<_> = ours.iter_rev().map(|(k, v)| (*k, *v)).collect();
            let b: Vec<_> = model.iter().rev().map(|(k, v)| (*k, *v)).collect();
            prop_assert_eq!(a, b);
            let drained: Vec<_> = ours.drain().collect();
            prop_assert_eq!(drained, model.into_iter().collect::<Vec<_>>());
            prop_assert!(ours.is_empty());
        }
    }
}

//! `--shard I/N`: one part of a deterministic split of work across N machines (CI runners), the
//! same on every machine given the same inputs, so that N runs of `I = 1..=N` do every item
//! exactly once: `verify` balances katas by their number of variants, `grade --class` deals
//! out the class folder's entries in name order.

use std::fmt;
use std::str::FromStr;

/// Part `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which part, from 1.
    pub index: usize,
    /// How many parts.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let usage = || format!("`{text}` is no shard: write I/N, with 1 ≤ I ≤ N (e.g. 2/4)");
        let (index, count) = text.split_once('/').ok_or_else(usage)?;
        let index: usize = index.trim().parse().map_err(|_| usage())?;
        let count: usize = count.trim().parse().map_err(|_| usage())?;
        if index == 0 || index > count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The items of this part when items of about the same cost are dealt out in turn: the
    /// `k`-th item (0-based) goes to part `k mod N + 1`. Order is kept.
    pub fn dealt<T>(self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % self.count == self.index - 1)
            .map(|(_, item)| item)
            .collect()
    }

    /// The items of this part when they cost `weight` each: heaviest first, each to the part
    /// with the least weight so far (the lowest-numbered on a tie; items of equal weight in
    /// their given order), so that the parts take about as long. Order is kept.
    pub fn balanced<T>(self, items: Vec<T>, weight: impl Fn(&T) -> u64) -> Vec<T> {
        let weights: Vec<u64> = items.iter().map(&weight).collect();
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(weights[i]));
        let mut loads = vec![0u64; self.count];
        let mut part_of = vec![0; items.len()];
        for i in order {
            let lightest = (0..self.count)
                .min_by_key(|&part| (loads[part], part))
                .unwrap_or(0);
            loads[lightest] += weights[i];
            part_of[i] = lightest;
        }
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| part_of[*i] == self.index - 1)
            .map(|(_, item)| item)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(count: usize) -> impl Iterator<Item = Shard> {
        (1..=count).map(move |index| Shard { index, count })
    }

    #[test]
    fn shards_are_read_and_refused() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_item_is_in_exactly_one_part() {
        let items: Vec<u64> = (0..23).map(|i| (i * 7919) % 31).collect();
        for count in 1..6 {
            for split in [
                |shard: Shard, items: Vec<u64>| shard.dealt(items),
                |shard: Shard, items: Vec<u64>| shard.balanced(items, |w| *w),
            ] {
                let mut seen: Vec<u64> = all(count).flat_map(|s| split(s, items.clone())).collect();
                seen.sort_unstable();
                let mut expected = items.clone();
                expected.sort_unstable();
                assert_eq!(seen, expected, "{count} parts");
            }
        }
    }

    #[test]
    fn balanced_parts_weigh_about_the_same() {
        let items: Vec<u64> = vec![9, 8, 7, 6, 5, 4, 3, 2, 1, 1];
        let loads: Vec<u64> = all(3)
            .map(|shard| shard.balanced(items.clone(), |w| *w).iter().sum())
            .collect();
        let (min, max) = (loads.iter().min().unwrap(), loads.iter().max().unwrap());
        assert!(max - min <= 1, "{loads:?}");
    }
}

//! Reordering large vectors in place, without a second copy of their items.
//!
//! The inventory's grants and credentials and the engine's findings are the
//! largest vectors of a scan (hundreds of thousands of items of 100 to 200
//! bytes). A stable sort would borrow scratch space for half of them; here only a
//! list of positions is sorted, and the items are then moved into place.

/// Reorders `items` in place so that position `k` holds what was at `from[k]`
/// (`from` is a permutation), following each cycle with swaps.
pub fn permute<T>(items: &mut [T], from: &[usize]) {
    let mut done = vec![false; items.len()];
    for start in 0..items.len() {
        if done[start] {
            continue;
        }
        let mut k = start;
        loop {
            done[k] = true;
            let src = from[k];
            if src == start {
                break;
            }
            items.swap(k, src);
            k = src;
        }
    }
}

/// A stable sort by `key`, in place: equal keys keep their order.
///
/// Keys are usually indexes into a shorter list (grants and credentials by
/// identity): then the positions are counted into place in linear time, without
/// comparing; larger keys are sorted.
pub fn stable_sort_by_key<T>(items: &mut [T], key: impl Fn(&T) -> usize) {
    if items.is_sorted_by_key(&key) {
        return;
    }
    let bound = items
        .iter()
        .map(&key)
        .max()
        .map_or(0, |m| m.saturating_add(1));
    let from = if bound <= items.len().saturating_mul(4) {
        // `next[k]`: where the next item of key `k` goes.
        let mut next = vec![0usize; bound + 1];
        for item in items.iter() {
            next[key(item) + 1] += 1;
        }
        for k in 1..=bound {
            next[k] += next[k - 1];
        }
        let mut from = vec![0usize; items.len()];
        for (i, item) in items.iter().enumerate() {
            let k = key(item);
            from[next[k]] = i;
            next[k] += 1;
        }
        from
    } else {
        let mut from: Vec<usize> = (0..items.len()).collect();
        from.sort_unstable_by_key(|&i| (key(&items[i]), i));
        from
    };
    permute(items, &from);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_moves_each_item_to_its_place() {
        // Two cycles (0 2 4) and (1 3), and a fixed point.
        let mut items = vec!["a", "b", "c", "d", "e", "f"];
        permute(&mut items, &[2, 3, 4, 1, 0, 5]);
        assert_eq!(items, ["c", "d", "e", "b", "a", "f"]);
        let mut same = vec![1, 2, 3];
        permute(&mut same, &[0, 1, 2]);
        assert_eq!(same, [1, 2, 3]);
        let mut none: Vec<u8> = Vec::new();
        permute(&mut none, &[]);
        assert!(none.is_empty());
    }

    #[test]
    fn stable_sort_keeps_the_order_of_equal_keys() {
        let mut items = vec![(3, 'a'), (1, 'b'), (3, 'c'), (0, 'd'), (1, 'e'), (3, 'f')];
        let mut expected = items.clone();
        expected.sort_by_key(|x| x.0);
        stable_sort_by_key(&mut items, |x| x.0);
        assert_eq!(items, expected);
        let mut sorted = vec![(0, 'x'), (0, 'y'), (2, 'z')];
        stable_sort_by_key(&mut sorted, |x| x.0);
        assert_eq!(sorted, [(0, 'x'), (0, 'y'), (2, 'z')]);
    }

    #[test]
    fn counted_and_compared_sorts_agree_with_the_standard_stable_sort() {
        // Keys below the length are counted into place; a few huge keys make the
        // same data take the comparison sort.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for len in [2usize, 17, 1000] {
            let small: Vec<(usize, usize)> = (0..len)
                .map(|i| ((next() % (len as u64 / 2 + 1)) as usize, i))
                .collect();
            let mut large = small.clone();
            large[0].0 = usize::MAX - 1;
            large[len - 1].0 = 1 << 40;
            for items in [small, large] {
                let mut expected = items.clone();
                expected.sort_by_key(|x| x.0);
                let mut ours = items;
                stable_sort_by_key(&mut ours, |x| x.0);
                assert_eq!(ours, expected, "{len} items");
            }
        }
    }
}

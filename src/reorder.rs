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
pub fn stable_sort_by_key<T>(items: &mut [T], key: impl Fn(&T) -> usize) {
    if items.is_sorted_by_key(&key) {
        return;
    }
    let mut from: Vec<usize> = (0..items.len()).collect();
    from.sort_unstable_by_key(|&i| (key(&items[i]), i));
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
}

//! Euclidean rhythms with Bjorklund's algorithm, in the formulation TidalCycles uses, so
//! `x(3,8)` is `x..x..x.` as Toussaint's table has it.
//!
//! Runs on the control thread. May allocate.

/// Which of `steps` steps play for `hits` hits spread as evenly as possible, rotated left by
/// `rotation` steps; negative `hits` play the rests of `-hits` instead.
pub fn euclid(hits: i64, steps: i64, rotation: i64) -> Vec<bool> {
    if steps <= 0 {
        return Vec::new();
    }
    let k = hits.unsigned_abs().min(steps as u64) as usize;
    let n = steps as usize;
    let mut pattern = bjorklund(k, n);
    if hits < 0 {
        pattern.iter_mut().for_each(|b| *b = !*b);
    }
    pattern.rotate_left(rotation.rem_euclid(steps) as usize);
    pattern
}

fn bjorklund(hits: usize, steps: usize) -> Vec<bool> {
    let mut i = hits;
    let mut j = steps - hits;
    let mut xs: Vec<Vec<bool>> = vec![vec![true]; i];
    let mut ys: Vec<Vec<bool>> = vec![vec![false]; j];
    while i.min(j) > 1 {
        if i > j {
            // left: the first j of xs take a y each; the rest of xs become the new ys.
            let rest = xs.split_off(j);
            for (x, y) in xs.iter_mut().zip(ys.drain(..)) {
                x.extend(y);
            }
            ys = rest;
            (i, j) = (j, i - j);
        } else {
            // right: every x takes one of the first i ys; the other ys stay.
            let rest = ys.split_off(i);
            for (x, y) in xs.iter_mut().zip(ys.drain(..)) {
                x.extend(y);
            }
            ys = rest;
            j -= i;
        }
    }
    xs.into_iter().chain(ys).flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(hits: i64, steps: i64, rotation: i64) -> String {
        euclid(hits, steps, rotation)
            .into_iter()
            .map(|b| if b { 'x' } else { '.' })
            .collect()
    }

    /// Toussaint, "The Euclidean algorithm generates traditional musical rhythms" (2005),
    /// as TidalCycles (Sound.Tidal.UITest, "euclid") and Strudel (packages/mini/test/
    /// mini.test.mjs) test it, with their four corrections of the paper: (3,4), (5,6), (5,16)
    /// and (7,8) start with their hits together.
    #[test]
    fn toussaints_table() {
        let table = [
            (1, 2, "x."),
            (1, 3, "x.."),
            (1, 4, "x..."),
            (4, 12, "x..x..x..x.."),
            (2, 5, "x.x.."),
            (3, 4, "xxx."),
            (3, 5, "x.x.x"),
            (3, 7, "x.x.x.."),
            (3, 8, "x..x..x."),
            (4, 7, "x.x.x.x"),
            (4, 9, "x.x.x.x.."),
            (4, 11, "x..x..x..x."),
            (5, 6, "xxxxx."),
            (5, 7, "x.xx.xx"),
            (5, 8, "x.xx.xx."),
            (5, 9, "x.x.x.x.x"),
            (5, 11, "x.x.x.x.x.."),
            (5, 12, "x..x.x..x.x."),
            (5, 16, "x..x..x..x..x..."),
            (7, 8, "xxxxxxx."),
            (7, 12, "x.xx.x.xx.x."),
            (7, 16, "x..x.x.x..x.x.x."),
            (9, 16, "x.xx.x.x.xx.x.x."),
            (11, 24, "x..x.x.x.x.x..x.x.x.x.x."),
            (13, 24, "x.xx.x.x.x.x.xx.x.x.x.x."),
        ];
        for (k, n, want) in table {
            assert_eq!(text(k, n, 0), want, "({k},{n})");
        }
    }

    #[test]
    fn rotation_turns_left_and_negative_hits_invert() {
        assert_eq!(text(3, 8, 2), ".x..x.x.");
        assert_eq!(text(-3, 8, 0), ".xx.xx.x");
        assert_eq!(text(0, 4, 0), "....");
    }
}

//! Rendering and writing at once: the large writers (JSON, CSV, OCSF, JUnit) render
//! batches of items in parallel and write each batch while the next one renders,
//! so that the output file grows while the cores work and only two batches are
//! held in memory at a time.

use std::io;

/// Renders `batches` in order with `render` (on the rayon pool) and passes each
/// result to `write` (on this thread), rendering batch `k + 1` while batch `k` is
/// written. `first`, when given, is batch 0 already rendered. Stops at the first
/// error.
pub(crate) fn pipeline<B: Send, R: Send>(
    mut batches: impl Iterator<Item = B>,
    first: Option<R>,
    render: impl Fn(B) -> io::Result<R> + Sync,
    mut write: impl FnMut(R) -> io::Result<()>,
) -> io::Result<()> {
    let mut pending = match first {
        Some(done) => Some(done),
        None => batches.next().map(&render).transpose()?,
    };
    while let Some(done) = pending.take() {
        let next = batches.next();
        let mut rendered = None;
        let written = rayon::in_place_scope(|scope| {
            scope.spawn(|_| rendered = next.map(&render));
            write(done)
        });
        written?;
        pending = rendered.transpose()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_written_in_order_and_errors_stop_the_pipeline() {
        let mut out = Vec::new();
        pipeline(
            (1..=5).map(|i| i * 10),
            Some(0),
            |b| Ok(b + 1),
            |r| {
                out.push(r);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(out, [0, 11, 21, 31, 41, 51]);

        let mut written = Vec::new();
        let e = pipeline(
            0..10,
            None,
            |b| {
                if b == 3 {
                    Err(io::Error::other("batch 3"))
                } else {
                    Ok(b)
                }
            },
            |r| {
                written.push(r);
                Ok(())
            },
        );
        assert_eq!(e.unwrap_err().to_string(), "batch 3");
        assert_eq!(written, [0, 1, 2]);
    }
}

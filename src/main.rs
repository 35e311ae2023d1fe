//! The `nhiscan` binary: parses arguments, runs the command, maps the outcome to
//! an exit code (see `nhiscan --help`).

#![deny(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use nhiscan::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(cli::exit::USAGE)
        }
    }
}

/// The global allocator: mimalloc for everything but very large blocks.
///
/// mimalloc: the import stages allocate millions of small strings on rayon's
/// threads, where glibc's per-thread arenas grow by `mprotect` calls; see
/// docs/performance.md for the measured difference. Its v2 line (the `v2`
/// feature) touches less fresh memory than v3 here, and without transparent huge
/// pages (the `no_thp` feature) the kernel no longer zeroes 2 MiB pages that are
/// barely used.
///
/// Blocks of [`split::LARGE`] bytes and more (whole input files, the inventory's
/// longest vectors) go to the system allocator, which maps each one separately and
/// gives it back to the kernel when it is freed. mimalloc keeps freed memory for
/// reuse, so a 140 MB export stayed resident through the join after it had been
/// parsed and dropped.
///
/// The `system-alloc` feature keeps the system allocator alone, for heap profilers
/// such as heaptrack that trace `malloc`.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: split::Split = split::Split;

/// The project's only `unsafe` code (docs/architecture.md, "Invariants"): a
/// [`GlobalAlloc`](std::alloc::GlobalAlloc) that routes each block by its size.
#[cfg_attr(feature = "system-alloc", allow(dead_code))]
#[allow(unsafe_code)]
mod split {
    use std::alloc::{GlobalAlloc, Layout, System};

    use mimalloc::MiMalloc;

    /// Blocks at least this large come from the system allocator.
    pub const LARGE: usize = 32 << 20;

    pub struct Split;

    fn is_large(size: usize) -> bool {
        size >= LARGE
    }

    // SAFETY: every block is freed or resized by the allocator that made it, because
    // the choice depends only on the block's size, which the caller passes unchanged
    // to `dealloc` and `realloc` (the `GlobalAlloc` contract). A resize across the
    // threshold allocates on the other side, copies the smaller of the two sizes and
    // frees the old block where it came from.
    unsafe impl GlobalAlloc for Split {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: forwarded with the caller's layout.
            unsafe {
                if is_large(layout.size()) {
                    System.alloc(layout)
                } else {
                    MiMalloc.alloc(layout)
                }
            }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: forwarded with the caller's layout.
            unsafe {
                if is_large(layout.size()) {
                    System.alloc_zeroed(layout)
                } else {
                    MiMalloc.alloc_zeroed(layout)
                }
            }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` was allocated by the side its size selects.
            unsafe {
                if is_large(layout.size()) {
                    System.dealloc(ptr, layout)
                } else {
                    MiMalloc.dealloc(ptr, layout)
                }
            }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let (old_large, new_large) = (is_large(layout.size()), is_large(new_size));
            // SAFETY: same-side resizes are forwarded; across the threshold the block
            // is moved by hand, and the new layout is valid because `new_size` is
            // (the caller guarantees it does not overflow when rounded to `align`).
            unsafe {
                match (old_large, new_large) {
                    (true, true) => System.realloc(ptr, layout, new_size),
                    (false, false) => MiMalloc.realloc(ptr, layout, new_size),
                    _ => {
                        let new_layout =
                            Layout::from_size_align_unchecked(new_size, layout.align());
                        let new_ptr = self.alloc(new_layout);
                        if !new_ptr.is_null() {
                            std::ptr::copy_nonoverlapping(
                                ptr,
                                new_ptr,
                                layout.size().min(new_size),
                            );
                            self.dealloc(ptr, layout);
                        }
                        new_ptr
                    }
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::LARGE;

        /// Runs under the global allocator: vectors grow and shrink across the
        /// threshold in both directions and keep their contents.
        #[test]
        fn blocks_keep_their_bytes_across_the_threshold() {
            let mut v: Vec<u8> = (0..LARGE - 8).map(|i| (i % 251) as u8).collect();
            v.reserve_exact(64); // small -> large
            v.extend_from_slice(&[7; 64]);
            assert!(v.capacity() >= LARGE);
            v.truncate(1000);
            v.shrink_to_fit(); // large -> small
            assert!(v.capacity() < LARGE);
            assert!(v.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8));
            let zeroed = vec![0u64; LARGE / 8 + 1];
            assert!(zeroed.iter().all(|&x| x == 0));
        }
    }
}

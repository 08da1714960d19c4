//! The `wharf` executable: parse arguments and hand over to the library.

// mimalloc: allocation is a visible cost of parsing large index pages and linking thousands
// of files in parallel, where it is markedly faster than glibc's allocator. Tuned below so
// that its peak memory is also lower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    wharf::main()
}

/// Commit arena memory as it is used and return freed memory at once: wharf is a short-lived
/// process whose peak memory matters more than the last percent of allocation speed (with
/// mimalloc's defaults, peak RSS of a large install was 40% higher). Options that shape the
/// first arena must be set before the first allocation, hence a constructor rather than a
/// call in `main`, where the runtime has already allocated.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
#[used]
#[unsafe(link_section = ".init_array")]
static TUNE_ALLOCATOR: extern "C" fn() = {
    extern "C" fn tune() {
        // Positions in mimalloc's `mi_option_e` (`mimalloc.h`); the bindings name only some.
        const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
        const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
        // SAFETY: `mi_option_set` stores an integer option; it runs single-threaded, before
        // any allocation, as mimalloc asks of option changes.
        unsafe {
            libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
            libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
        }
    }
    tune
};

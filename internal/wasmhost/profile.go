package wasmhost

import "fmt"

// Profile is the WASI surface of one family of Envoy releases, as
// proxy-wasm-cpp-host (the library Envoy embeds) implements it: which
// wasi_snapshot_preview1 functions it links, what each answers, and which
// host functions a module may call while the host runs its _initialize or
// its allocator. Every Module runs under one profile; no profile is kinder
// than the Envoy releases it stands for.
//
// Sources, read from proxy-wasm-cpp-host at 94091cd (#533) and its parent:
//   - src/exports.cc: the WASI functions (wasi_unstable_*), their answers;
//   - include/proxy-wasm/exports.h: FOR_ALL_WASI_FUNCTIONS, what is linked;
//   - src/wasm.cc (WasmBase::startVm): the allowlist during _initialize;
//   - include/proxy-wasm/wasm.h (WasmBase::allocMemory): the allowlist
//     during proxy_on_memory_allocate;
//   - src/v8/v8.cc: a call outside the allowlist traps "restricted_callback"
//     (only V8 enforces it; Envoy's default runtime is V8).
type Profile struct {
	// Name is how tests and flags name the profile.
	Name string
	// Envoy says which Envoy releases ship this behaviour.
	Envoy string
	// PollOneoff is what poll_oneoff returns: 52 (ENOSYS) before #533, 0
	// with nevents=0 after.
	PollOneoff uint32
	// Linked are the wasi_snapshot_preview1 functions the host links; a
	// module importing any other fails to load, as in Envoy.
	Linked []string
	// DuringInitialize and DuringAllocate are the only host functions
	// ("module.name") a module may call while _initialize, or
	// proxy_on_memory_allocate called by the host, runs.
	DuringInitialize []string
	DuringAllocate   []string
}

// The linked set and allowlists as of proxy-wasm-cpp-host#427 (Envoy
// 1.33, the first release that links a standard-Go module at all: it
// added sched_yield, poll_oneoff and fd_fdstat_set_flags), unchanged until
// #533.
var (
	pre533Linked = []string{
		"fd_write", "fd_read", "fd_seek", "fd_close", "fd_fdstat_get", "fd_fdstat_set_flags",
		"environ_get", "environ_sizes_get", "args_get", "args_sizes_get", "clock_time_get",
		"random_get", "sched_yield", "poll_oneoff", "proc_exit", "path_open",
		"fd_prestat_get", "fd_prestat_dir_name",
	}
	pre533Initialize = []string{
		"env.emscripten_notify_memory_growth", "env.proxy_log",
		"wasi_snapshot_preview1.fd_write",
		"wasi_snapshot_preview1.args_sizes_get", "wasi_snapshot_preview1.args_get",
		"wasi_snapshot_preview1.environ_sizes_get", "wasi_snapshot_preview1.environ_get",
		"wasi_snapshot_preview1.fd_prestat_get", "wasi_snapshot_preview1.fd_prestat_dir_name",
		"wasi_snapshot_preview1.clock_time_get", "wasi_snapshot_preview1.random_get",
		"wasi_snapshot_preview1.fd_fdstat_get", "wasi_snapshot_preview1.fd_fdstat_set_flags",
	}
	pre533Allocate = []string{
		"env.proxy_log", "wasi_snapshot_preview1.fd_write", "wasi_snapshot_preview1.clock_time_get",
	}
)

// post533Extra are the functions #533 linked and allowed during
// _initialize in addition to the historical set.
var post533Extra = []string{
	"clock_res_get", "fd_advise", "fd_allocate", "fd_datasync", "fd_fdstat_set_rights",
	"fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread", "fd_pwrite",
	"fd_readdir", "fd_renumber", "fd_sync", "fd_tell", "path_create_directory",
	"path_filestat_get", "path_filestat_set_times", "path_link", "path_readlink",
	"path_remove_directory", "path_rename", "path_symlink", "path_unlink_file",
	"sock_accept", "sock_recv", "sock_send", "sock_shutdown",
}

// Pre533 is Envoy 1.33 up to the first release with proxy-wasm-cpp-host
// #533 (envoyproxy/envoy#45756, mid-2026): poll_oneoff answers ENOSYS,
// which standard Go's runtime turns into a fatal error.
var Pre533 = Profile{
	Name:             "pre-533",
	Envoy:            "Envoy 1.33 until envoyproxy/envoy#45756 (proxy-wasm-cpp-host before #533)",
	PollOneoff:       errnoNOSYS,
	Linked:           pre533Linked,
	DuringInitialize: pre533Initialize,
	DuringAllocate:   pre533Allocate,
}

// Post533 is Envoy from envoyproxy/envoy#45756 on: poll_oneoff succeeds
// at once with no events, and is allowed in both restricted phases.
var Post533 = Profile{
	Name:       "post-533",
	Envoy:      "Envoy releases with envoyproxy/envoy#45756 (proxy-wasm-cpp-host #533)",
	PollOneoff: errnoSUCCESS,
	Linked:     append(append([]string{}, pre533Linked...), post533Extra...),
	DuringInitialize: append(append(append([]string{}, pre533Initialize...),
		"wasi_snapshot_preview1.clock_res_get", "wasi_snapshot_preview1.poll_oneoff"),
		prefixed(post533Extra)...),
	DuringAllocate: append(append([]string{}, pre533Allocate...), "wasi_snapshot_preview1.poll_oneoff"),
}

// Profiles are every profile, strictest first.
var Profiles = []Profile{Pre533, Post533}

// ProfileByName finds a profile by its Name.
func ProfileByName(name string) (Profile, error) {
	for _, p := range Profiles {
		if p.Name == name {
			return p, nil
		}
	}
	return Profile{}, fmt.Errorf("unknown host profile %q: want %q or %q", name, Pre533.Name, Post533.Name)
}

func prefixed(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "wasi_snapshot_preview1." + n
	}
	return out
}

func set(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// RestrictedCallError is the trap a restricted host call raises: V8 in
// proxy-wasm-cpp-host traps "restricted_callback", the VM fails, and Envoy
// answers every later request on that worker by its failure policy.
type RestrictedCallError struct {
	Func  string // "module.name"
	Phase string // "_initialize" or "proxy_on_memory_allocate"
}

func (e *RestrictedCallError) Error() string {
	return fmt.Sprintf("restricted_callback: %s called during %s, which Envoy's wasm host forbids there", e.Func, e.Phase)
}

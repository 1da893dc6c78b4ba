package wasmhost

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/tetratelabs/wazero/api"
)

// WASI errno values proxy-wasm-cpp-host returns (src/exports.cc).
const (
	errnoSUCCESS = 0
	errnoBADF    = 8
	errnoFAULT   = 21
	errnoINVAL   = 28
	errnoNOTDIR  = 20
	errnoNOENT   = 44
	errnoNOSYS   = 52
	errnoNOTSUP  = 58
)

// randomGetMax is PROXY_WASM_HOST_WASI_RANDOM_GET_MAX_SIZE_BYTES
// (include/proxy-wasm/limits.h): random_get refuses larger requests.
const randomGetMax = 64 << 10

const i64 = api.ValueTypeI64

// wasiFunc is one wasi_snapshot_preview1 function as proxy-wasm-cpp-host
// declares it (include/proxy-wasm/exports.h): its parameter types, which
// are what a module's import must match to link, and its behaviour
// (src/exports.cc). Every function returns an errno (i32).
type wasiFunc struct {
	params []api.ValueType
	fn     func(in *Instance, mod api.Module, st []uint64) uint32
}

// proc_exit is the one function without a result.
const voidFunc = "proc_exit"

func ints(types ...api.ValueType) []api.ValueType { return types }

// wasiFuncs is Envoy's WASI surface. Which of them a profile links is
// Profile.Linked; poll_oneoff's answer is Profile.PollOneoff.
func wasiFuncs(p Profile) map[string]wasiFunc {
	w := i32
	stdio := func(fd uint64) bool { return uint32(fd) == 1 || uint32(fd) == 2 }
	stdioOnly := func(in *Instance, mod api.Module, st []uint64) uint32 {
		if !stdio(st[0]) {
			return errnoBADF
		}
		return errnoSUCCESS
	}
	constant := func(errno uint32) func(*Instance, api.Module, []uint64) uint32 {
		return func(*Instance, api.Module, []uint64) uint32 { return errno }
	}
	hostError := func(msg string) func(*Instance, api.Module, []uint64) uint32 {
		// cpp-host logs these as errors and reports success.
		return func(in *Instance, _ api.Module, _ []uint64) uint32 {
			in.Logs = append(in.Logs, LogEntry{Level: LogError, Msg: msg})
			return errnoSUCCESS
		}
	}
	return map[string]wasiFunc{
		"fd_write": {ints(w, w, w, w), func(in *Instance, mod api.Module, st []uint64) uint32 {
			n, errno := in.writev(mod, st[0], st[1], st[2])
			if errno != errnoSUCCESS {
				return errno
			}
			if !mod.Memory().WriteUint32Le(uint32(st[3]), n) {
				return errnoFAULT
			}
			return errnoSUCCESS
		}},
		"fd_read":  {ints(w, w, w, w), constant(errnoNOSYS)},
		"fd_seek":  {ints(w, i64, w, w), hostError("wasi_unstable fd_seek")},
		"fd_close": {ints(w), hostError("wasi_unstable fd_close")},
		"fd_fdstat_get": {ints(w, w), func(in *Instance, mod api.Module, st []uint64) uint32 {
			if !stdio(st[0]) {
				return errnoBADF
			}
			// 24 bytes, all zero but fs_rights_base = FD_WRITE (64). cpp-host
			// ignores a failed write here.
			var stat [24]byte
			stat[8] = 64
			mod.Memory().Write(uint32(st[1]), stat[:])
			return errnoSUCCESS
		}},
		"fd_fdstat_set_flags": {ints(w, w), constant(errnoNOSYS)},
		// Envoy passes no environment unless the VM config sets some, and
		// never any arguments.
		"environ_get":       {ints(w, w), constant(errnoSUCCESS)},
		"environ_sizes_get": {ints(w, w), writeZeros32(2)},
		"args_get":          {ints(w, w), constant(errnoSUCCESS)},
		"args_sizes_get":    {ints(w, w), writeZeros32(2)},
		"clock_time_get": {ints(w, i64, w), func(in *Instance, mod api.Module, st []uint64) uint32 {
			var t uint64
			switch uint32(st[0]) {
			case 0:
				t = uint64(time.Now().UnixNano())
			case 1:
				t = uint64(time.Since(processStart).Nanoseconds())
			default:
				return errnoNOTSUP
			}
			if !mod.Memory().WriteUint64Le(uint32(st[2]), t) {
				return errnoFAULT
			}
			return errnoSUCCESS
		}},
		"random_get": {ints(w, w), func(in *Instance, mod api.Module, st []uint64) uint32 {
			n := uint32(st[1])
			if n > randomGetMax {
				return errnoINVAL
			}
			if n == 0 {
				return errnoSUCCESS
			}
			buf := make([]byte, n)
			rand.Read(buf)
			if !mod.Memory().Write(uint32(st[0]), buf) {
				return errnoFAULT
			}
			return errnoSUCCESS
		}},
		"sched_yield": {nil, constant(errnoSUCCESS)},
		"poll_oneoff": {ints(w, w, w, w), func(in *Instance, mod api.Module, st []uint64) uint32 {
			if p.PollOneoff != errnoSUCCESS {
				return p.PollOneoff
			}
			// #533: no polling at all, nevents = 0, at once.
			if !mod.Memory().WriteUint32Le(uint32(st[3]), 0) {
				return errnoFAULT
			}
			return errnoSUCCESS
		}},
		// proc_exit does not exit in cpp-host: it logs an error and returns.
		"proc_exit":           {ints(w), hostError("wasi_unstable proc_exit")},
		"path_open":           {ints(w, w, w, w, w, i64, i64, w, w), constant(errnoNOENT)},
		"fd_prestat_get":      {ints(w, w), constant(errnoBADF)},
		"fd_prestat_dir_name": {ints(w, w, w), constant(errnoNOSYS)},

		// Added by #533. Parameter lists are cpp-host's declarations, which
		// for path_link and path_symlink have one parameter fewer than the
		// WASI spec: a module importing those with the spec's type fails to
		// link there, and here.
		"clock_res_get": {ints(w, w), func(in *Instance, mod api.Module, st []uint64) uint32 {
			if c := uint32(st[0]); c != 0 && c != 1 {
				return errnoNOTSUP
			}
			if !mod.Memory().WriteUint64Le(uint32(st[1]), 1) {
				return errnoFAULT
			}
			return errnoSUCCESS
		}},
		"fd_advise":             {ints(w, i64, i64, w), constant(errnoSUCCESS)},
		"fd_allocate":           {ints(w, i64, i64), stdioOnly},
		"fd_datasync":           {ints(w), stdioOnly},
		"fd_fdstat_set_rights":  {ints(w, i64, i64), stdioOnly},
		"fd_filestat_get":       {ints(w, w), constant(errnoBADF)},
		"fd_filestat_set_size":  {ints(w, i64), stdioOnly},
		"fd_filestat_set_times": {ints(w, i64, i64, w), stdioOnly},
		"fd_pread":              {ints(w, w, w, i64, w), constant(errnoNOSYS)},
		"fd_pwrite": {ints(w, w, w, i64, w), func(in *Instance, mod api.Module, st []uint64) uint32 {
			n, errno := in.writev(mod, st[0], st[1], st[2])
			if errno != errnoSUCCESS {
				return errno
			}
			if !mod.Memory().WriteUint32Le(uint32(st[4]), n) {
				return errnoFAULT
			}
			return errnoSUCCESS
		}},
		"fd_readdir": {ints(w, w, w, i64, w), func(in *Instance, mod api.Module, st []uint64) uint32 {
			if !mod.Memory().WriteUint32Le(uint32(st[4]), 0) {
				return errnoFAULT
			}
			return errnoNOTDIR
		}},
		"fd_renumber": {ints(w, w), func(in *Instance, mod api.Module, st []uint64) uint32 {
			if !stdio(st[0]) || !stdio(st[1]) {
				return errnoBADF
			}
			return errnoNOTSUP
		}},
		"fd_sync": {ints(w), stdioOnly},
		"fd_tell": {ints(w, w), func(in *Instance, mod api.Module, st []uint64) uint32 {
			if !stdio(st[0]) {
				return errnoBADF
			}
			if !mod.Memory().WriteUint64Le(uint32(st[1]), 0) {
				return errnoFAULT
			}
			return errnoSUCCESS
		}},
		"path_create_directory":   {ints(w, w, w), constant(errnoNOTSUP)},
		"path_filestat_get":       {ints(w, w, w, w, w), constant(errnoNOTSUP)},
		"path_filestat_set_times": {ints(w, w, w, w, i64, i64, w), constant(errnoNOTSUP)},
		"path_link":               {ints(w, w, w, w, w, w), constant(errnoNOTSUP)},
		"path_readlink":           {ints(w, w, w, w, w, w), constant(errnoNOTSUP)},
		"path_remove_directory":   {ints(w, w, w), constant(errnoNOTSUP)},
		"path_rename":             {ints(w, w, w, w, w, w), constant(errnoNOTSUP)},
		"path_symlink":            {ints(w, w, w, w), constant(errnoNOTSUP)},
		"path_unlink_file":        {ints(w, w, w), constant(errnoNOTSUP)},
		"sock_accept":             {ints(w, w, w), constant(errnoNOTSUP)},
		"sock_recv":               {ints(w, w, w, w, w, w), constant(errnoNOTSUP)},
		"sock_send":               {ints(w, w, w, w, w), constant(errnoNOTSUP)},
		"sock_shutdown":           {ints(w, w), constant(errnoNOTSUP)},
	}
}

var processStart = time.Now()

// writeZeros32 answers a sizes_get call: every out-parameter is 0.
func writeZeros32(n int) func(*Instance, api.Module, []uint64) uint32 {
	return func(_ *Instance, mod api.Module, st []uint64) uint32 {
		for i := range n {
			if !mod.Memory().WriteUint32Le(uint32(st[i]), 0) {
				return errnoFAULT
			}
		}
		return errnoSUCCESS
	}
}

// writev is cpp-host's writevImpl: stdout is logged at info, stderr at
// error (one log line per call, a trailing newline dropped); any other fd
// is EBADF.
func (in *Instance) writev(mod api.Module, fd, iovs, iovsLen uint64) (uint32, uint32) {
	level := LogInfo
	switch uint32(fd) {
	case 1:
	case 2:
		level = LogError
	default:
		return 0, errnoBADF
	}
	var s []byte
	for i := range uint32(iovsLen) {
		iov, ok := mod.Memory().Read(uint32(iovs)+8*i, 8)
		if !ok {
			return 0, errnoFAULT
		}
		buf, n := le32get(iov[0:]), le32get(iov[4:])
		if n == 0 {
			continue
		}
		b, ok := mod.Memory().Read(buf, n)
		if !ok {
			return 0, errnoFAULT
		}
		s = append(s, b...)
	}
	written := uint32(len(s))
	if written > 0 {
		if s[len(s)-1] == '\n' {
			s = s[:len(s)-1]
		}
		in.Logs = append(in.Logs, LogEntry{Level: level, Msg: string(s)})
	}
	return written, errnoSUCCESS
}

// exportWASI instantiates the profile's wasi_snapshot_preview1 module.
// Every call is counted and checked against the restricted phase first.
func (m *Module) exportWASI(ctx context.Context) error {
	b := m.rt.NewHostModuleBuilder("wasi_snapshot_preview1")
	funcs := wasiFuncs(m.profile)
	for _, name := range m.profile.Linked {
		f, ok := funcs[name]
		if !ok {
			panic("wasmhost: profile " + m.profile.Name + " links " + name + ", which has no implementation")
		}
		full := "wasi_snapshot_preview1." + name
		fn, results := f.fn, []api.ValueType{i32}
		if name == voidFunc {
			results = nil
		}
		b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, st []uint64) {
			in := m.instances[mod.Name()]
			m.wasiCalls.count(name)
			in.enter(full)
			errno := fn(in, mod, st)
			if results != nil {
				st[0] = uint64(errno)
			}
		}), f.params, results).Export(name)
	}
	_, err := b.Instantiate(ctx)
	return err
}

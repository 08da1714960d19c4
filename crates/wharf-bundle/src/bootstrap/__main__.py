# wharf bundle, warm path: run the extracted bundle, importing nothing but os and sys. This file
# is compiled from source on every run (zipimport caches no bytecode), and compiling costs about
# as much as everything else it does, so it is kept small: the rarely needed parts are in _L,
# compiled only when used. First runs, errors and WHARF_BUNDLE_TOOLS go to _wharf_bootstrap.
true, false, null = True, False, None
_C = None  # wharf: config


def _main(os, sys, G):
    C, S, e = _C, _L, os.environ.get
    A, t = os.path.dirname(__file__), _target(os, sys)
    x = e("WHARF_BUNDLE_TOOLS", "0") not in ("", "0")
    if x or t is None:
        import _wharf_bootstrap as b

        sys.exit(b.tools(sys.argv[1:], C, A, t) if x else b.fail_no_target(C, A))
    r = e("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    r = os.path.abspath(e("WHARF_ROOT") or os.path.join(e("WHARF_CACHE_DIR") or os.path.join(r, "wharf"), "bundles-v1"))
    d, L = os.path.join(r, C["id"], t["key"]), {}
    if not os.path.isdir(d):
        exec(compile(S, "<wharf bootstrap>", "exec"), L)
        d = L["fallback"](os, e, r, C["id"], t["key"])
        if not d:
            import _wharf_bootstrap as b

            d = b.extract(C, t, A, r)
    try:
        os.utime(d)
    except OSError:
        pass
    a, p, n = os.path.abspath(A), os.path.join(d, "site-packages"), C["entry"]
    h = [a]
    if "site" in sys.modules and not e("WHARF_BUNDLE_INHERIT_PATH"):  # isolated from the host's packages
        try:
            s = sys.modules["site"]
            h += s.getsitepackages() + [s.getusersitepackages()]
        except Exception:
            pass
    h = [os.path.abspath(q) for q in h]
    sys.path[:] = [q for q in sys.path if not any(y == g or y.startswith(g + os.sep) for y in [os.path.abspath(q or ".")] for g in h)]
    if t["pth"]:
        import site

        site.addsitedir(p)
        p in sys.path and sys.path.remove(p)
    sys.path.insert(0, p)
    for k, v in C["inject_env"].items():
        os.environ.setdefault(k, v)
    for k in list(G):  # the entry or the REPL runs in this namespace: no bootstrap names
        if k not in ("__name__", "__doc__", "__package__", "__loader__", "__spec__", "__builtins__"):
            del G[k]
    if n and "module" in n:
        if not n["function"]:
            import runpy

            return runpy._run_module_as_main(n["module"], False)
        __import__(n["module"])
        f = sys.modules[n["module"]]
        for k in n["function"].split("."):
            f = getattr(f, k)
        sys.exit(f())
    L or exec(compile(S, "<wharf bootstrap>", "exec"), L)
    L["run"](os, sys, G, C, d, n)


def _target(os, sys):
    # The first target this interpreter runs: implementation, Python version, platform.
    v, m = sys.version_info[:2], None
    for t in _C["targets"]:
        p, i, w = t["platform"], t["python"], t["python_min"]
        if t["implementation"] not in (None, sys.implementation.name) or i and v != tuple(i) or w and v < tuple(w):
            continue
        if p:
            if m is None:
                s, g = sys.platform, None
                if s == "win32":
                    m = "windows", "aarch64" if "ARM64" in sys.version else "x86_64" if "AMD64" in sys.version else "i686"
                else:
                    try:  # "glibc 2.36"
                        g = tuple(map(int, os.confstr("CS_GNU_LIBC_VERSION").split()[1].split(".")[:2]))
                    except Exception:
                        pass
                    k = _arch(os.uname().machine)
                    k = {"x86_64": "i686", "aarch64": "armv7l"}.get(k, k) if sys.maxsize < 2**32 else k
                    m = "linux" if s.startswith("linux") else s, k
                m += (g,)
            q, l = p["libc"], p["libc_min"]
            if p["os"] != m[0] or _arch(p["arch"]) not in (m[1], "universal2") or q == "musl" and m[2]:
                continue
            if q == "glibc" and not (m[2] and m[2] >= tuple(l or ())):
                continue
        return t


def _arch(a):
    a = a.lower()
    return {"amd64": "x86_64", "arm64": "aarch64", "i386": "i686", "x86": "i686", "win32": "i686"}.get(a, a)


_L = r'''
def fallback(os, e, r, i, k):
    # A finished extraction under the temp-dir fallback, when the root cannot be written to,
    # and only from a private directory of this user (not one planted in a shared /tmp).
    q = r
    while not os.path.exists(q) and os.path.dirname(q) != q:
        q = os.path.dirname(q)
    if os.access(q, os.W_OK) or not hasattr(os, "getuid"):
        return None
    b = os.path.join(e("TMPDIR") or "/tmp", "wharf-bundles-%d" % os.getuid())
    try:
        s = os.lstat(b)
    except OSError:
        return None
    d = os.path.abspath(os.path.join(b, i, k))
    ok = s.st_uid == os.getuid() and s.st_mode & 0o170077 == 0o040000
    return d if ok and os.path.isdir(d) else None


def run(os, sys, G, C, d, n):
    # A script entry, a .data/scripts entry, or no entry: behave like `python`.
    if n:
        p = os.path.join(d, n.get("script") or n["wheel_script"])
        if "script" in n:
            sys.path.insert(0, os.path.dirname(p))
        return execfile(os, sys, G, p)
    a = sys.argv[1:]
    o = a[0] if a else ""
    c, m = o[:2] == "-c", o[:2] == "-m"
    f = o and not (c or m) and o != "-"
    if f and o[0] == "-" or o in ("-c", "-m") and len(a) < 2:
        sys.exit("usage: %s [-c CODE | -m MODULE | FILE | -] [ARGS]" % sys.argv[0])
    if not (sys.flags.isolated or getattr(sys.flags, "safe_path", False)):
        sys.path.insert(0, os.path.dirname(os.path.realpath(o)) if f else os.getcwd() if m else "")
    if c or m:
        x, a = (o[2:], a[1:]) if len(o) > 2 else (a[1], a[2:])
        sys.argv = ["-c" if c else x] + a
        if c:
            exec(compile(x, "<string>", "exec"), G)
        else:
            import runpy

            runpy._run_module_as_main(x)
    elif f:
        import runpy

        sys.argv = a
        runpy.run_path(o, run_name="__main__")
    elif not sys.stdin.isatty():
        sys.argv = a or [""]
        exec(compile(sys.stdin.read(), "<stdin>", "exec"), G)
    else:
        sys.argv = a or [""]
        b = "Python %s on %s, with the bundle %s" % (sys.version.split()[0], sys.platform, C["name"])
        if sys.flags.ignore_environment:  # PYTHONINSPECT would be ignored
            import code

            return code.interact(banner=b, local=G, exitmsg="")
        sys.stderr.write(b + "\n")
        os.environ["PYTHONINSPECT"] = "1"  # the interpreter's REPL, once this module is done

        def hook(h=getattr(sys, "__interactivehook__", None), env=os.environ):
            env.pop("PYTHONINSPECT", None)  # not for child processes
            if h:
                h()

        sys.__interactivehook__ = hook


def execfile(os, sys, G, p):
    # Run a file as __main__ in this namespace, like `python FILE`, with sys.argv[0] left as
    # invoked; a file with a non-Python #! line is exec'd instead.
    with open(p, "rb") as f:
        c = f.read()
    if c[:2] == b"#!" and b"python" not in c.split(b"\n", 1)[0]:
        os.execv(p, [p] + sys.argv[1:])
    G.update(__file__=p, __cached__=None, __loader__=None, __spec__=None, __package__=None)
    exec(compile(c, p, "exec"), G)
'''

import os, sys  # both already loaded by the interpreter

_main(os, sys, globals())

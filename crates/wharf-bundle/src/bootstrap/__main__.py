# wharf bundle, warm path: run an extracted bundle importing nothing but os and sys.
# First run, errors and WHARF_BUNDLE_TOOLS go to _wharf_bootstrap.py (from the archive).
true, false, null = True, False, None
_C = None  # wharf: config


def _main():
    import os, sys

    C, G, e = _C, globals(), os.environ.get
    A = os.path.dirname(__file__)
    if e("WHARF_BUNDLE_TOOLS", "0") not in ("", "0"):
        import _wharf_bootstrap

        sys.exit(_wharf_bootstrap.tools(sys.argv[1:], C, A, _target(os, sys)))
    t = _target(os, sys)
    if t is None:
        import _wharf_bootstrap

        _wharf_bootstrap.fail_no_target(C, A)
    r = e("WHARF_ROOT") or os.path.join(
        e("WHARF_CACHE_DIR") or os.path.join(e("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "wharf"),
        "bundles-v1",
    )
    r = os.path.abspath(r)
    d = os.path.join(r, C["id"], t["key"])
    if not os.path.isdir(d):
        f = _fallback(os, e, C["id"], t["key"])
        if f:
            d = f
        else:
            import _wharf_bootstrap

            d = _wharf_bootstrap.extract(C, t, A, r)
    try:
        os.utime(d)
    except OSError:
        pass
    a = os.path.abspath(A)
    sys.path[:] = [p for p in sys.path if p != A and os.path.abspath(p or ".") != a]
    sp = os.path.join(d, "site-packages")
    if t["pth"]:
        import site

        site.addsitedir(sp)
        if sp in sys.path:
            sys.path.remove(sp)
    sys.path.insert(0, sp)
    for k, v in C["inject_env"].items():
        os.environ.setdefault(k, v)
    n, P, X = C["entry"], _python, _exec
    for k in list(G):  # the entry (or the REPL) runs in this namespace: leave no bootstrap names
        if k not in ("__name__", "__doc__", "__package__", "__loader__", "__spec__", "__annotations__", "__builtins__"):
            del G[k]
    if n is None:
        return P(os, sys, G, C)
    if "module" in n:
        if n["function"]:
            __import__(n["module"])
            f = sys.modules[n["module"]]
            for k in n["function"].split("."):
                f = getattr(f, k)
            sys.exit(f())
        import runpy

        runpy._run_module_as_main(n["module"], False)
        return
    p = os.path.join(d, n.get("script") or n["wheel_script"])
    if "script" in n:
        sys.path.insert(0, os.path.dirname(p))
    X(os, sys, p, G)


def _target(os, sys):
    # The first target this interpreter can run, or None.
    v, m = tuple(sys.version_info[:2]), None
    for t in _C["targets"]:
        if t["implementation"] not in (None, sys.implementation.name):
            continue
        if t["python"] and v != tuple(t["python"]) or t["python_min"] and v < tuple(t["python_min"]):
            continue
        p = t["platform"]
        if p:
            if m is None:
                m = _platform(os, sys)
            a = _arch(p["arch"] or "")
            if p["os"] != m[0] or a != m[1] and a not in ("universal2", "universal"):
                continue
            if p["libc"] == "glibc" and (m[2] is None or m[2] < tuple(p["libc_min"] or ())):
                continue
            if p["libc"] == "musl" and m[2] is not None:
                continue
        return t
    return None


def _arch(a):
    a = a.lower()
    return {"amd64": "x86_64", "arm64": "aarch64", "i386": "i686", "x86": "i686", "win32": "i686"}.get(a, a)


def _platform(os, sys):
    # (os, normalized arch, glibc version or None) of the running interpreter.
    s, g = sys.platform, None
    if s == "win32":
        v = sys.version
        return "windows", "aarch64" if "ARM64" in v else "x86_64" if "AMD64" in v else "i686", None
    a = _arch(os.uname().machine)
    if sys.maxsize < 2**32:
        a = {"x86_64": "i686", "aarch64": "armv7l"}.get(a, a)
    try:
        g = os.confstr("CS_GNU_LIBC_VERSION") or ""
        g = tuple(map(int, g.split()[1].split(".")[:2])) if g.startswith("glibc ") else None
    except (ValueError, OSError, IndexError):
        g = None
    return "linux" if s.startswith("linux") else s, a, g


def _fallback(os, e, i, k):
    # A finished extraction under the temp-dir fallback, if it is ours (not a planted one).
    if not hasattr(os, "getuid"):
        return None
    b = os.path.join(e("TMPDIR") or "/tmp", "wharf-bundles-%d" % os.getuid())
    try:
        s = os.lstat(b)
    except OSError:
        return None
    d = os.path.abspath(os.path.join(b, i, k))
    ok = s.st_uid == os.getuid() and s.st_mode & 0o170077 == 0o040000
    return d if ok and os.path.isdir(d) else None


def _exec(os, sys, p, G):
    # Run a file as __main__ in this module's (cleaned) namespace, like `python FILE`,
    # leaving sys.argv[0] as invoked; a non-Python wheel script is exec'd instead.
    with open(p, "rb") as f:
        c = f.read()
    if c[:2] == b"#!" and b"python" not in c.split(b"\n", 1)[0]:
        os.execv(p, [p] + sys.argv[1:])
    c = compile(c, p, "exec")
    G.update(__file__=p, __cached__=None, __loader__=None, __spec__=None, __package__=None)
    exec(c, G)


def _python(os, sys, G, C):
    # No entry point: behave like `python` (-c CODE, -m MODULE, FILE, or the REPL).
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

            code.interact(banner=b, local=G, exitmsg="")
            return
        sys.stderr.write(b + "\n")
        os.environ["PYTHONINSPECT"] = "1"

        def hook(h=getattr(sys, "__interactivehook__", None), env=os.environ):
            env.pop("PYTHONINSPECT", None)  # not for child processes
            if h:
                h()

        sys.__interactivehook__ = hook


_main()

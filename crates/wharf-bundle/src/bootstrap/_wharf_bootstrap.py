"""wharf bundle bootstrap, cold path.

Imported from the bundle (by __main__.py) only on a first run, on errors, and for the
WHARF_BUNDLE_TOOLS commands:

- extract(): verify the bundle and unpack the wheels of one target, under a lock, into a
  temporary directory that is renamed into place when complete;
- fail_no_target(): explain that no target fits this interpreter;
- tools(): `venv DIR [--force]` and `info`.

Standard library only; CPython 3.8 and newer.
"""

import os
import sys

_CONFIG_LINE = b"_C = None  # wharf: config"
_DAMAGED_HINT = "hint: copy or rebuild the bundle"


class Damaged(Exception):
    """The bundle does not match what it says it holds."""


def _say(line):
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _shown(archive):
    """The archive as the user named it, for messages."""
    argv0 = sys.argv[0] if sys.argv else ""
    if argv0 and os.path.abspath(argv0) == os.path.abspath(archive):
        return argv0
    return archive


def _fail(archive, message, hint=None):
    _say("%s: %s" % (_shown(archive), message))
    if hint:
        _say(hint)
    raise SystemExit(1)


def _fail_damaged(archive, what):
    _fail(
        archive,
        "this bundle is damaged: %s (was it truncated or modified after it was built?)" % what,
        _DAMAGED_HINT,
    )


def _reason(err):
    return err.strerror or str(err) if isinstance(err, OSError) else str(err)


def _verbose():
    return os.environ.get("WHARF_BUNDLE_VERBOSE", "") not in ("", "0")


# --- target selection messages --------------------------------------------------------------


def _glibc():
    try:
        value = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError, AttributeError):
        return None
    return value.split()[1] if value.startswith("glibc ") and len(value.split()) > 1 else None


def describe_interpreter():
    """E.g. `CPython 3.10.4 on linux x86_64 (glibc 2.31)`."""
    import platform

    name = sys.implementation.name
    text = "%s %d.%d.%d" % (
        {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}.get(name, name),
        sys.version_info[0],
        sys.version_info[1],
        sys.version_info[2],
    )
    plat = sys.platform
    plat = "linux" if plat.startswith("linux") else "windows" if plat == "win32" else plat
    text += " on %s %s" % (plat, platform.machine())
    if plat == "linux":
        glibc = _glibc()
        if glibc:
            text += " (glibc %s)" % glibc
        else:
            import glob

            if glob.glob("/lib/ld-musl-*"):
                text += " (musl)"
    return text


def fail_no_target(config, archive=None):
    """No target of the bundle runs on this interpreter: say so and exit 1."""
    archive = archive or (sys.argv[0] if sys.argv else "bundle")
    targets = config.get("targets") or []
    runs = ", ".join(t.get("description") or t.get("key") or "?" for t in targets) or "nothing"
    example = "python3"
    if targets:
        first = targets[0]
        version = first.get("python") or first.get("python_min")
        prefix = "pypy" if first.get("implementation") == "pypy" else "python"
        if version:
            example = "%s%d.%d" % (prefix, version[0], version[1])
    _fail(
        archive,
        "this bundle runs on %s; this is %s" % (runs, describe_interpreter()),
        "hint: run it with one of those interpreters (%s %s), or rebuild with --python-version"
        % (example, _shown(archive)),
    )


# --- reading and verifying members ----------------------------------------------------------


_PREAD = hasattr(os, "pread")
_SEEK_LOCK = None if _PREAD else __import__("threading").Lock()


class _Slice(object):
    """A read-only, seekable window onto a file: a STORED member read in place."""

    def __init__(self, file, start, size):
        self._file, self._start, self._size, self._pos = file, start, size, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._pos

    def seek(self, offset, whence=0):
        base = (0, self._pos, self._size)[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, n=-1):
        left = self._size - self._pos
        n = left if n is None or n < 0 else min(n, left)
        if n <= 0:
            return b""
        if _PREAD:  # positioned reads: slices of one file can be read from several threads
            data = os.pread(self._file.fileno(), n, self._start + self._pos)
        else:
            with _SEEK_LOCK:
                self._file.seek(self._start + self._pos)
                data = self._file.read(n)
        self._pos += len(data)
        return data

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Bundle(object):
    """The archive opened for reading, with members checked against bundle.json."""

    def __init__(self, archive, bundle_id):
        import zipfile

        self.archive = archive
        self._raw = open(archive, "rb")
        try:
            self.zip = zipfile.ZipFile(self._raw)
            data = self.read(".wharf/bundle.json")
        except BaseException:
            self._raw.close()
            raise
        import hashlib
        import json

        if hashlib.sha256(data).hexdigest() != bundle_id:
            self.close()
            raise Damaged(".wharf/bundle.json does not match the bundle id")
        self.manifest_bytes = data
        try:
            self.manifest = json.loads(data.decode("utf-8"))
        except ValueError as err:
            self.close()
            raise Damaged(".wharf/bundle.json is not valid JSON (%s)" % err)

    def close(self):
        self.zip.close()
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _info(self, member):
        try:
            return self.zip.getinfo(member)
        except KeyError:
            raise Damaged("%s is missing" % member)

    def read(self, member):
        return self.zip.read(self._info(member))

    def target(self, key):
        for target in self.manifest.get("targets") or []:
            if target.get("key") == key:
                return target
        raise Damaged(".wharf/bundle.json has no target %s" % key)

    def pinned(self, member, kind):
        """The sha256/size bundle.json records for a member."""
        table = self.manifest.get(kind) or {}
        name = member[len(".wharf/wheels/") :] if kind == "wheels" else member
        pin = table.get(name)
        if not isinstance(pin, dict) or "sha256" not in pin or "size" not in pin:
            raise Damaged(".wharf/bundle.json does not pin %s" % member)
        return pin

    def open_verified(self, member, pin, scratch):
        """A seekable file of the member's bytes, checked against its pin."""
        import hashlib
        import zipfile

        info = self._info(member)
        if info.file_size != pin["size"]:
            raise Damaged("%s has %d bytes, not %d" % (member, info.file_size, pin["size"]))
        if info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 1:
            self._raw.seek(info.header_offset)
            header = self._raw.read(30)
            if len(header) < 30 or header[:4] != b"PK\x03\x04":
                raise Damaged("%s has no valid local header" % member)
            start = info.header_offset + 30
            start += int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
            file = _Slice(self._raw, start, info.file_size)
        else:  # not as written, but still the same bytes perhaps: decompress to a scratch file
            import shutil
            import tempfile

            file = tempfile.TemporaryFile(dir=scratch)
            with self.zip.open(info) as source:
                shutil.copyfileobj(source, file, 1 << 20)
            file.seek(0)
        digest, size = hashlib.sha256(), 0
        while True:
            block = file.read(1 << 20)
            if not block:
                break
            digest.update(block)
            size += len(block)
        if size != pin["size"] or digest.hexdigest() != pin["sha256"]:
            file.close()
            raise Damaged("%s does not match its sha256 in .wharf/bundle.json" % member)
        file.seek(0)
        return file


# --- installing wheels ----------------------------------------------------------------------


def _parts(name, where):
    """The path components of a zip member, refusing anything that could leave the target."""
    parts = name.split("/")
    bad = (
        "\0" in name
        or "\\" in name
        or name.startswith("/")
        or any(p in ("", ".", "..") for p in parts)
        or (os.name == "nt" and ":" in name)
    )
    if bad:
        raise Damaged("%s has an unsafe path %r" % (where, name))
    return parts


class _Writer(object):
    """Writes files under directories, creating parents once, optionally recording hashes."""

    def __init__(self, record=False, fresh=False):
        self._made = set()
        self.record = [] if record else None
        self.fresh = fresh  # writing into a new, empty directory: nothing to replace

    def _parent(self, path):
        parent = os.path.dirname(path)
        if parent not in self._made:
            os.makedirs(parent, exist_ok=True)
            self._made.add(parent)

    def copy(self, source, path, executable, first_line=None):
        """Copy a stream to path (replacing its first line if given); returns the path."""
        import hashlib

        self._parent(path)
        if not self.fresh and os.path.lexists(path) and not os.path.isdir(path):
            os.remove(path)
        digest = hashlib.sha256() if self.record is not None else None
        size = 0
        mode = 0o755 if executable else 0o644
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
        with open(os.open(path, flags, mode), "wb") as out:
            if first_line is not None:
                head = source.readline()
                if head.startswith(b"#!python"):
                    head = first_line
                out.write(head)
                size += len(head)
                if digest:
                    digest.update(head)
            while True:
                block = source.read(1 << 20)
                if not block:
                    break
                out.write(block)
                size += len(block)
                if digest:
                    digest.update(block)
        if not self.fresh:  # an existing file keeps its mode through O_CREAT
            os.chmod(path, mode)
        if digest:
            self.record.append((path, _record_hash(digest), size))
        return path

    def write(self, path, data, executable=False):
        import io

        return self.copy(io.BytesIO(data), path, executable)


def _record_hash(digest):
    import base64

    return "sha256=" + base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def _install_wheel(file, filename, dests, writer, shebang=None):
    """Unpack one wheel: its root and .data/purelib|platlib into dests["purelib"], the other
    .data/ schemes into dests[scheme]. Returns the .dist-info directory name."""
    import zipfile

    with zipfile.ZipFile(file) as wheel:
        infos = wheel.infolist()
        dist_info = None
        stem = "-".join(filename.split("-")[:2]).lower()
        for info in infos:
            top = info.filename.split("/", 1)[0]
            if top.endswith(".dist-info") and "/" in info.filename:
                if dist_info is None or top.lower().startswith(stem):
                    dist_info = top
        if dist_info is None:
            raise Damaged("%s has no .dist-info directory" % filename)
        data = dist_info[: -len(".dist-info")] + ".data"
        for info in infos:
            name = info.filename
            if name.endswith("/"):
                continue
            parts = _parts(name, filename)
            first_line = None
            executable = bool((info.external_attr >> 16) & 0o111)
            if parts[0] == data:
                if len(parts) < 3:
                    continue
                scheme = parts[1]
                if scheme not in dests:
                    raise Damaged("%s has an unknown directory %s/%s" % (filename, data, scheme))
                base, parts = dests[scheme], parts[2:]
                if scheme == "scripts":
                    executable, first_line = True, shebang
            else:
                base = dests["purelib"]
                if shebang is not None and parts[0] == dist_info and parts[1:] in (["RECORD"], ["INSTALLER"]):
                    continue  # written anew
            with wheel.open(info) as source:
                writer.copy(source, os.path.join(base, *parts), executable, first_line)
    return dist_info


def _unpack_parallel(files, dests, writer, shebang):
    import threading

    queue = sorted(files, key=lambda item: item[1].seek(0, 2))  # pop() takes the largest first
    for _, file in queue:
        file.seek(0)
    errors = []

    def work():
        while not errors:
            try:
                filename, file = queue.pop()
            except IndexError:
                return
            try:
                _install_wheel(file, filename, dests, writer, shebang)
            except BaseException as err:  # re-raised below, in the main thread
                errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(min(4, len(queue)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _unzip(file, base, writer, where):
    """Unpack a plain zip (the bytecode member) over base."""
    import zipfile

    with zipfile.ZipFile(file) as archive:
        for info in archive.infolist():
            if info.filename.endswith("/"):
                continue
            with archive.open(info) as source:
                writer.copy(source, os.path.join(base, *_parts(info.filename, where)), False)


def _install_target(bundle, target, dests, writer, scratch, shebang=None):
    """Install every verified member a target needs. Returns [(dist-info dir, first, end)]
    (the range of writer.record each wheel wrote) and the range the bytecode wrote."""
    installed = []
    wheels = target.get("wheels") or []
    if writer.record is None and len(wheels) > 1:
        # A first run: verify every wheel, then unpack them on a few threads (creating files
        # is mostly waiting on the file system, which threads overlap).
        files = [
            (filename, bundle.open_verified(".wharf/wheels/" + filename, bundle.pinned(".wharf/wheels/" + filename, "wheels"), scratch))
            for filename in wheels
        ]
        try:
            _unpack_parallel(files, dests, writer, shebang)
        finally:
            for _, file in files:
                file.close()
        wheels = []
    for filename in wheels:
        member = ".wharf/wheels/" + filename
        file = bundle.open_verified(member, bundle.pinned(member, "wheels"), scratch)
        first = len(writer.record or ())
        try:
            dist_info = _install_wheel(file, filename, dests, writer, shebang)
        finally:
            file.close()
        installed.append((dist_info, first, len(writer.record or ())))
    pyc = (0, 0)
    if target.get("pyc"):
        file = bundle.open_verified(target["pyc"], bundle.pinned(target["pyc"], "files"), scratch)
        first = len(writer.record or ())
        try:
            _unzip(file, dests["purelib"], writer, target["pyc"])
        finally:
            file.close()
        pyc = (first, len(writer.record or ()))
    for member in sorted(bundle.manifest.get("files") or {}):
        if member.startswith(".wharf/script/"):
            file = bundle.open_verified(member, bundle.pinned(member, "files"), scratch)
            try:
                path = os.path.join(dests["script"], *_parts(member[len(".wharf/script/") :], member))
                writer.copy(file, path, False)
            finally:
                file.close()
    return installed, pyc


# --- extraction (first run) -----------------------------------------------------------------


def _lock(directory, key):
    """Open and lock <directory>/<key>.lock; OSError when the directory is not writable."""
    os.makedirs(directory, exist_ok=True)
    if not os.access(directory, os.W_OK):
        import errno

        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), directory)
    fd = os.open(os.path.join(directory, key + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        import fcntl
    except ImportError:  # Windows
        import errno
        import msvcrt

        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return fd, True
            except OSError as err:
                if err.errno != errno.EDEADLOCK:  # LK_LOCK gives up after 10 s: keep waiting
                    return fd, False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return fd, True
    except OSError:  # e.g. ENOLCK on some network file systems: the rename still protects
        return fd, False


def _unlock(fd):
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)
    except (ImportError, OSError):
        try:
            import msvcrt

            os.lseek(fd, 0, 0)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except (ImportError, OSError):
            pass
    os.close(fd)


def fallback_root():
    """<tempdir>/wharf-bundles-<uid>, created private to this user (refusing one that is not)."""
    import tempfile

    if hasattr(os, "getuid"):
        user = str(os.getuid())
    else:
        import getpass

        user = getpass.getuser()
    base = os.path.join(tempfile.gettempdir(), "wharf-bundles-" + user)
    try:
        os.mkdir(base, 0o700)
    except FileExistsError:
        pass
    if hasattr(os, "getuid"):
        import errno
        import stat

        info = os.lstat(base)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            raise PermissionError(errno.EPERM, "not a directory of this user", base)
        if info.st_mode & 0o077:
            os.chmod(base, 0o700)
    return os.path.abspath(base)


def _prune(parent, key):
    """Remove the temporary directories of earlier, interrupted extractions of key."""
    import shutil

    prefix = ".tmp-%s-" % key
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        rest = name[len(prefix) :].split("-") if name.startswith(prefix) else ()
        if len(rest) == 2 and rest[0].isdigit():
            shutil.rmtree(os.path.join(parent, name), ignore_errors=True)


def extract(config, target, archive, root):
    """Verify and unpack target into <root>/<id>/<key> (or the temp-dir fallback when root is
    not writable), at most once however many processes try at the same time. Returns the
    extraction directory; exits with a message when the bundle is damaged."""
    import time

    started = time.monotonic()
    bundle_id, key = config["id"], target["key"]
    note = None
    try:
        fd, locked = _lock(os.path.join(root, bundle_id), key)
    except OSError as err:
        try:
            fallback = fallback_root()
        except OSError as err2:
            _fail(archive, "cannot write to %s (%s) nor to a temporary directory (%s)" % (root, _reason(err), _reason(err2)))
        if fallback == os.path.abspath(root):
            _fail(archive, "cannot write to %s (%s)" % (root, _reason(err)))
        note = "%s: cannot write to %s (%s); extracting to %s instead" % (_shown(archive), root, _reason(err), fallback)
        try:
            fd, locked = _lock(os.path.join(fallback, bundle_id), key)
        except OSError as err2:
            _fail(archive, "cannot write to %s (%s) nor to %s (%s)" % (root, _reason(err), fallback, _reason(err2)))
        root = fallback
    parent = os.path.join(root, bundle_id)
    final = os.path.join(parent, key)
    try:
        if os.path.isdir(final):
            return final  # another process extracted it while we waited for the lock
        if note:
            _say(note)
        if locked:
            _prune(parent, key)
        count = _extract_into(config, target, archive, parent, final)
    finally:
        _unlock(fd)
    if _verbose():
        _say(
            "wharf bundle: extracted %d distributions to %s in %d ms"
            % (count, final, round((time.monotonic() - started) * 1000))
        )
    return final


def _extract_into(config, target, archive, parent, final):
    import shutil

    temp = os.path.join(parent, ".tmp-%s-%d-%s" % (target["key"], os.getpid(), os.urandom(4).hex()))
    os.mkdir(temp)
    try:
        count = _verify_and_unpack(config, target, archive, temp)
        try:
            os.rename(temp, final)
        except OSError:
            if not os.path.isdir(final):
                raise
            shutil.rmtree(temp, ignore_errors=True)  # lost a race without a working lock
        return count
    except Damaged as err:
        shutil.rmtree(temp, ignore_errors=True)
        _fail_damaged(archive, str(err))
    except OSError as err:
        shutil.rmtree(temp, ignore_errors=True)
        _fail(archive, "cannot extract the bundle to %s: %s" % (final, _reason(err)))
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _damage_errors():
    import zipfile
    import zlib

    return (zipfile.BadZipFile, zlib.error, EOFError)


def _open_bundle(config, archive):
    try:
        return _Bundle(archive, config["id"])
    except _damage_errors() as err:
        raise Damaged(str(err) or type(err).__name__)


def _verify_and_unpack(config, target, archive, temp):
    dests = {
        "purelib": os.path.join(temp, "site-packages"),
        "platlib": os.path.join(temp, "site-packages"),
        "scripts": os.path.join(temp, "bin"),
        "data": os.path.join(temp, "data"),
        "headers": os.path.join(temp, "include"),
        "script": os.path.join(temp, "script"),
    }
    os.mkdir(dests["purelib"])
    bundle = _open_bundle(config, archive)
    try:
        with bundle:
            wanted = bundle.target(target["key"])
            _install_target(bundle, wanted, dests, _Writer(fresh=True), temp)
            return len(wanted.get("wheels") or [])
    except _damage_errors() as err:
        raise Damaged(str(err) or type(err).__name__)


# --- WHARF_BUNDLE_TOOLS ---------------------------------------------------------------------

_USAGE = "usage: WHARF_BUNDLE_TOOLS=1 %s venv DIR [--force] | info"


def tools(argv, config, archive, target=None):
    """The bundle's own commands; returns the exit status."""
    command = argv[0] if argv else ""
    if command == "info" and len(argv) == 1:
        try:
            bundle = _open_bundle(config, archive)
        except Damaged as err:
            _fail_damaged(archive, str(err))
        with bundle:
            out = getattr(sys.stdout, "buffer", None)
            if out is not None:
                sys.stdout.flush()
                out.write(bundle.manifest_bytes)
                out.flush()
            else:
                sys.stdout.write(bundle.manifest_bytes.decode("utf-8"))
        return 0
    if command == "venv":
        args = [a for a in argv[1:] if a != "--force"]
        if len(args) == 1 and not args[0].startswith("-"):
            if target is None:
                fail_no_target(config, archive)
            return _venv(config, target, archive, args[0], "--force" in argv[1:])
    _say(_USAGE % _shown(archive))
    return 2


def _venv_paths(dest):
    import sysconfig

    names = sysconfig.get_scheme_names()
    scheme = "venv" if "venv" in names else "nt" if os.name == "nt" else "posix_prefix"
    base = {"base": dest, "platbase": dest, "installed_base": dest, "installed_platbase": dest}
    paths = sysconfig.get_paths(scheme, vars=base)
    version = "%d.%d" % sys.version_info[:2]
    return {
        "purelib": paths["purelib"],
        "platlib": paths["platlib"],
        "scripts": paths["scripts"],
        "data": paths["data"],
        "headers": os.path.join(dest, "include", "site", "python" + version),
        "script": os.path.join(dest, "script"),
    }


def _shebang(python):
    """A first line that runs python (the sh trampoline when the path is long or spaced)."""
    if len(python) < 120 and " " not in python and os.name != "nt":
        return ("#!%s\n" % python).encode()
    quoted = "'" + python.replace("'", "'\"'\"'") + "'"
    return ("#!/bin/sh\n'''exec' %s \"$0\" \"$@\"\n' '''\n" % quoted).encode()


def _launcher(writer, scripts, name, shebang, body, python):
    """bin/<name> running body with python (plus a .cmd on Windows)."""
    if os.name == "nt":
        path = writer.write(os.path.join(scripts, name + "-script.py"), body.encode("utf-8"))
        cmd = '@"%s" "%s" %%*\r\n' % (python, path)
        return writer.write(os.path.join(scripts, name + ".cmd"), cmd.encode("utf-8"))
    return writer.write(os.path.join(scripts, name), shebang + body.encode("utf-8"), True)


def _entry_points(path):
    import configparser

    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=False)
    parser.optionxform = str
    try:
        with open(path, encoding="utf-8") as file:
            parser.read_file(file)
    except FileNotFoundError:
        return []
    except configparser.Error:
        return []
    found = []
    for section in ("console_scripts", "gui_scripts"):
        if parser.has_section(section):
            for name, value in parser.items(section):
                value = value.split("[", 1)[0].strip()
                if ":" in value and name.strip():
                    module, attrs = (x.strip() for x in value.split(":", 1))
                    found.append((name.strip(), module, attrs))
    return found


def _call_body(module, attrs):
    return (
        "import re\nimport sys\nfrom %s import %s\n"
        "if __name__ == \"__main__\":\n"
        "    sys.argv[0] = re.sub(r\"(-script\\.pyw|\\.exe)?$\", \"\", sys.argv[0])\n"
        "    sys.exit(%s())\n" % (module, attrs.split(".")[0], attrs)
    )


def _entry_body(config, paths):
    """The launcher for the bundle's own entry point, with its environment defaults."""
    entry = config["entry"]
    lines = ["import os", "import sys"]
    for key, value in sorted((config.get("inject_env") or {}).items()):
        lines.append("os.environ.setdefault(%r, %r)" % (key, value))
    if "module" in entry and entry.get("function"):
        lines += [
            "import importlib",
            "f = importlib.import_module(%r)" % entry["module"],
            "for a in %r.split('.'):" % entry["function"],
            "    f = getattr(f, a)",
            "sys.exit(f())",
        ]
    elif "module" in entry:
        lines += ["import runpy", "runpy._run_module_as_main(%r, False)" % entry["module"]]
    else:
        relative = entry.get("script") or entry["wheel_script"]
        head, _, rest = relative.partition("/")
        base = paths["script"] if "script" in entry else paths["scripts"]
        path = os.path.join(base, *rest.split("/")) if head in ("script", "bin") else os.path.join(base, relative)
        lines += [
            "p = %r" % path,
            "with open(p, 'rb') as f:",
            "    c = f.read()",
            "if c[:2] == b'#!' and b'python' not in c.split(b'\\n', 1)[0]:",
            "    os.execv(p, [p] + sys.argv[1:])",
        ]
        if "script" in entry:
            lines.append("sys.path.insert(0, os.path.dirname(p))")
        lines += ["__file__ = p", "del f", "exec(compile(c, p, 'exec'))"]
    return "\n".join(lines) + "\n"


def _venv(config, target, archive, directory, force):
    import csv
    import shutil
    import venv

    dest = os.path.abspath(directory)
    if os.path.lexists(dest):
        empty = os.path.isdir(dest) and not os.path.islink(dest) and not os.listdir(dest)
        if not empty and not force:
            _fail(archive, "%s already exists" % directory, "hint: pass --force to replace it")
        if os.path.isdir(dest) and not os.path.islink(dest):
            shutil.rmtree(dest)
        else:
            os.remove(dest)
    try:
        bundle = _open_bundle(config, archive)
    except Damaged as err:
        _fail_damaged(archive, str(err))
    with bundle:
        venv.EnvBuilder(symlinks=os.name != "nt", with_pip=False).create(dest)
        paths = _venv_paths(dest)
        python = os.path.join(paths["scripts"], "python.exe" if os.name == "nt" else "python")
        shebang = _shebang(python)
        made_by_venv = set(os.listdir(paths["scripts"]))
        writer = _Writer(record=True)
        try:
            installed, pyc = _install_target(bundle, bundle.target(target["key"]), paths, writer, dest, shebang)
        except _damage_errors() + (Damaged,) as err:
            shutil.rmtree(dest, ignore_errors=True)
            _fail_damaged(archive, str(err) or type(err).__name__)
        except BaseException:
            shutil.rmtree(dest, ignore_errors=True)
            raise
        sp = paths["purelib"]
        owner = {}  # installed path -> dist-info directory, for RECORD
        for dist_info, first, end in installed:
            for row in writer.record[first:end]:
                owner[row[0]] = dist_info
            mark = len(writer.record)
            for name, module, attrs in _entry_points(os.path.join(sp, dist_info, "entry_points.txt")):
                _launcher(writer, paths["scripts"], name, shebang, _call_body(module, attrs), python)
            writer.write(os.path.join(sp, dist_info, "INSTALLER"), b"wharf\n")
            for row in writer.record[mark:]:
                owner[row[0]] = dist_info
        # Bytecode belongs to the distribution of its source.
        for path, _, _ in writer.record[pyc[0] : pyc[1]]:
            directory, name = os.path.split(path)
            source = os.path.join(os.path.dirname(directory), name.split(".", 1)[0] + ".py")
            if os.path.basename(directory) == "__pycache__" and source in owner:
                owner[path] = owner[source]
        if config.get("entry"):  # the bundle's own command (replacing a console script of that name)
            name = config.get("name") or "app"
            if name in made_by_venv or name.startswith("python") or name.startswith("activate"):
                _say("%s: not writing %s: the venv has a file of that name" % (_shown(archive), name))
            else:
                _launcher(writer, paths["scripts"], name, shebang, _entry_body(config, paths), python)
        records = {dist_info: {} for dist_info, _, _ in installed}
        for path, digest, size in writer.record:  # the last write of a path wins
            if path in owner:
                records[owner[path]][os.path.relpath(path, sp).replace(os.sep, "/")] = (digest, size)
        for dist_info, rows in records.items():
            rows[dist_info + "/RECORD"] = ("", "")
            with open(os.path.join(sp, dist_info, "RECORD"), "w", newline="", encoding="utf-8") as file:
                out = csv.writer(file, lineterminator="\n")
                out.writerows((path,) + rows[path] for path in sorted(rows))
    _say("%s: created a virtual environment in %s with %d distributions" % (_shown(archive), directory, len(installed)))
    return 0

# wharf's interpreter probe: run once per interpreter (with `-I`), prints one JSON object.
#
# The syntax stays valid on Python 2 so that an old interpreter found on PATH reports
# "unsupported" cleanly instead of a SyntaxError traceback.
import json
import os
import platform
import sys


def fail(kind, message):
    print(json.dumps({"result": "error", "kind": kind, "message": message}))
    sys.exit(0)


if sys.version_info < (3, 8):
    fail(
        "unsupported_version",
        "Python {0}.{1} is not supported: wharf needs Python 3.8 or newer".format(
            sys.version_info[0], sys.version_info[1]
        ),
    )

import sysconfig  # noqa: E402


def format_version(info):
    version = "{0}.{1}.{2}".format(info.major, info.minor, info.micro)
    kind = info.releaselevel
    if kind != "final":
        version += {"alpha": "a", "beta": "b", "candidate": "rc"}[kind] + str(info.serial)
    return version


def markers():
    implementation_version = format_version(sys.implementation.version)
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": implementation_version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_python_implementation": platform.python_implementation(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        # Development builds report "3.12.0+", which is not a PEP 440 version.
        "python_full_version": platform.python_version().rstrip("+"),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def scheme_paths():
    # A virtual environment installs into its own prefix. On 3.11+ the `venv` scheme says
    # where that is even when a distributor (Debian's posix_local) changed the default.
    # Outside a venv, the default scheme is what pip uses.
    in_venv = sys.prefix != sys.base_prefix
    if in_venv and "venv" in sysconfig.get_scheme_names():
        return sysconfig.get_paths(scheme="venv")
    return sysconfig.get_paths()


def base_executable():
    in_venv = sys.prefix != sys.base_prefix
    candidate = getattr(sys, "_base_executable", None)
    if candidate and (not in_venv or os.path.dirname(candidate) != os.path.dirname(sys.executable)):
        return candidate
    if in_venv:
        # Before 3.11 a POSIX venv reports its own python as `_base_executable`: find the
        # base one through `home` in pyvenv.cfg, as the interpreter's startup does.
        home = None
        cfg = os.path.join(sys.prefix, "pyvenv.cfg")
        try:
            with open(cfg) as handle:
                for line in handle:
                    key, sep, value = line.partition("=")
                    if sep and key.strip().lower() == "home":
                        home = value.strip()
        except OSError:
            pass
        if home:
            names = [
                os.path.basename(sys.executable),
                "python{0}.{1}".format(*sys.version_info[:2]),
                "python{0}".format(sys.version_info[0]),
                "python",
            ]
            for name in names:
                path = os.path.join(home, name)
                if os.path.isfile(path):
                    return path
    return os.path.realpath(sys.executable)


def glibc_version():
    try:
        value = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, OSError, ValueError):
        value = None
    if value:
        parts = value.split()
        if len(parts) == 2 and parts[0] == "glibc":
            return parts[1]
    try:
        import ctypes

        process = ctypes.CDLL(None)
        function = process.gnu_get_libc_version
        function.restype = ctypes.c_char_p
        value = function()
        if isinstance(value, bytes):
            value = value.decode("ascii")
        return value
    except Exception:
        return None


def elf_interpreter(path):
    # The program interpreter (PT_INTERP) names the C library's loader: ld-musl-*.so.1 on
    # musl systems.
    import struct

    try:
        with open(path, "rb") as handle:
            ident = handle.read(16)
            if ident[:4] != b"\x7fELF":
                return None
            is_64 = ident[4] == 2
            endian = "<" if ident[5] == 1 else ">"
            if is_64:
                header = handle.read(48)
                (ph_offset,) = struct.unpack(endian + "Q", header[16:24])
                ph_size, ph_count = struct.unpack(endian + "HH", header[38:42])
            else:
                header = handle.read(36)
                (ph_offset,) = struct.unpack(endian + "I", header[12:16])
                ph_size, ph_count = struct.unpack(endian + "HH", header[26:30])
            for index in range(ph_count):
                handle.seek(ph_offset + index * ph_size)
                entry = handle.read(ph_size)
                (kind,) = struct.unpack(endian + "I", entry[:4])
                if kind != 3:
                    continue
                if is_64:
                    offset, = struct.unpack(endian + "Q", entry[8:16])
                    size, = struct.unpack(endian + "Q", entry[32:40])
                else:
                    offset, = struct.unpack(endian + "I", entry[4:8])
                    size, = struct.unpack(endian + "I", entry[16:20])
                handle.seek(offset)
                return handle.read(size).rstrip(b"\x00").decode("ascii", "replace")
    except (OSError, struct.error, IndexError):
        return None
    return None


def musl_version():
    import re
    import subprocess

    loader = elf_interpreter(os.path.realpath(sys.executable))
    if not loader or "musl" not in loader:
        return None
    try:
        # The musl loader run without arguments prints its version on stderr.
        process = subprocess.run([loader], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        output = process.stderr.decode("utf-8", "replace")
    except OSError:
        return None
    match = re.search(r"Version (\d+)\.(\d+)", output)
    if match:
        return match.group(1) + "." + match.group(2)
    return None


def manylinux_compatible(glibc, arch):
    # The `_manylinux` module lets a distributor declare its glibc incompatible with the
    # manylinux wheels (PEP 600), or compatible only with some of them.
    try:
        import _manylinux
    except ImportError:
        return True
    major, minor = (int(part) for part in glibc.split(".")[:2])
    if hasattr(_manylinux, "manylinux_compatible"):
        result = _manylinux.manylinux_compatible(major, minor, arch)
        if result is not None:
            return bool(result)
        return True
    for (attr_major, attr_minor), attribute in (
        ((2, 17), "manylinux2014_compatible"),
        ((2, 12), "manylinux2010_compatible"),
        ((2, 5), "manylinux1_compatible"),
    ):
        if (major, minor) >= (attr_major, attr_minor) and hasattr(_manylinux, attribute):
            return bool(getattr(_manylinux, attribute))
    return True


def platform_info():
    machine = platform.machine()
    info = {"machine": machine, "system": sys.platform}
    if sys.platform.startswith("linux"):
        glibc = glibc_version()
        if glibc:
            info["libc"] = "glibc"
            info["libc_version"] = glibc
            info["manylinux_compatible"] = manylinux_compatible(glibc, machine)
        else:
            musl = musl_version()
            if musl:
                info["libc"] = "musl"
                info["libc_version"] = musl
    elif sys.platform == "darwin":
        info["macos_version"] = platform.mac_ver()[0]
    else:
        info["release"] = platform.release()
    return info


def externally_managed(stdlib):
    if sys.prefix != sys.base_prefix:
        return None
    path = os.path.join(stdlib, "EXTERNALLY-MANAGED")
    if not os.path.isfile(path):
        return None
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
        message = parser.get("externally-managed", "Error")
    except (configparser.Error, UnicodeDecodeError):
        message = None
    return message or "This environment is externally managed (see {0})".format(path)


def main():
    paths = scheme_paths()
    stdlib = sysconfig.get_path("stdlib")
    result = {
        "result": "success",
        "executable": sys.executable,
        "base_executable": base_executable(),
        "prefix": sys.prefix,
        "base_prefix": sys.base_prefix,
        "base_exec_prefix": sys.base_exec_prefix,
        "version": format_version(sys.version_info),
        "implementation_name": sys.implementation.name,
        "markers": markers(),
        "platform": platform_info(),
        "gil_disabled": sysconfig.get_config_var("Py_GIL_DISABLED") == 1,
        "debug_enabled": sysconfig.get_config_var("Py_DEBUG") == 1,
        "platlibdir": getattr(sys, "platlibdir", "lib"),
        "scheme": {
            "purelib": paths["purelib"],
            "platlib": paths["platlib"],
            "scripts": paths["scripts"],
            "data": paths["data"],
            "include": paths["include"],
        },
        "sys_path": [entry for entry in sys.path if entry],
        "stdlib": stdlib,
        "externally_managed": externally_managed(stdlib),
        "pointer_size_64": sys.maxsize > 2**32,
    }
    print(json.dumps(result))


main()

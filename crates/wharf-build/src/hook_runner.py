"""wharf's PEP 517/660 hook runner.

Usage: python hook_runner.py HOOK INPUT.json OUTPUT.json

Runs one hook of the backend named in INPUT.json inside the current (build) environment and
writes {"return": value}, {"unsupported": true}, {"backend_unavailable": traceback} or
{"backend_invalid": message} to OUTPUT.json. The backend's own output goes to stdout and
stderr untouched; a hook that raises exits non-zero with its traceback on stderr.
"""

import importlib
import json
import os
import sys
import traceback


class BackendUnavailable(Exception):
    pass


class BackendInvalid(Exception):
    pass


def load_backend(spec, backend_path):
    if backend_path:
        extra = [os.path.abspath(path) for path in backend_path]
        sys.path[:0] = extra
    module_name, _, object_path = spec.partition(":")
    try:
        backend = importlib.import_module(module_name)
    except ImportError:
        raise BackendUnavailable(traceback.format_exc())
    if backend_path:
        origin = os.path.abspath(getattr(backend, "__file__", None) or "")
        if not any(origin == path or origin.startswith(path + os.sep) for path in extra):
            raise BackendInvalid(
                "backend %r was loaded from %s, not from backend-path %r"
                % (spec, origin, backend_path)
            )
    if object_path:
        for part in object_path.split("."):
            backend = getattr(backend, part)
    return backend


def is_unsupported(error):
    return type(error).__name__ == "UnsupportedOperation"


def main():
    hook_name, input_path, output_path = sys.argv[1:4]
    with open(input_path, encoding="utf-8") as file:
        request = json.load(file)
    # Hooks run in the source tree; the runner's own directory must not shadow anything.
    script_dir = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != script_dir]

    def reply(value):
        with open(output_path, "w", encoding="utf-8") as file:
            json.dump(value, file)

    try:
        backend = load_backend(request["backend"], request.get("backend_path"))
    except BackendUnavailable as error:
        reply({"backend_unavailable": str(error)})
        return
    except BackendInvalid as error:
        reply({"backend_invalid": str(error)})
        return

    settings = request.get("config_settings")
    hook = getattr(backend, hook_name, None)
    if hook_name.startswith("get_requires_for_build_"):
        reply({"return": list(hook(settings)) if hook else []})
    elif hook_name.startswith("prepare_metadata_for_build_"):
        if hook is None:
            reply({"unsupported": True})
        else:
            reply({"return": hook(request["metadata_directory"], settings)})
    elif hook_name in ("build_wheel", "build_editable"):
        if hook is None:
            reply({"unsupported": True})
        else:
            reply(
                {
                    "return": hook(
                        request["output_directory"],
                        settings,
                        request.get("metadata_directory"),
                    )
                }
            )
    elif hook_name == "build_sdist":
        if hook is None:
            reply({"unsupported": True})
            return
        try:
            reply({"return": hook(request["output_directory"], settings)})
        except Exception as error:
            if is_unsupported(error):
                reply({"unsupported": True})
            else:
                raise
    else:
        raise SystemExit("unknown hook %r" % hook_name)


if __name__ == "__main__":
    main()

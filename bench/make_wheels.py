"""Write PROJECTS x VERSIONS small, valid wheels into DIR (for the `index` benchmark)."""

import base64
import hashlib
import os
import sys
import zipfile


def record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def main():
    out, projects, versions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    for p in range(projects):
        name = "project_%04d" % p
        for v in range(versions):
            version = "1.%d.0" % v
            dist_info = "%s-%s.dist-info" % (name, version)
            files = {
                "%s/__init__.py" % name: b"VALUE = %d\n" % v,
                dist_info + "/METADATA": (
                    "Metadata-Version: 2.1\nName: %s\nVersion: %s\nRequires-Dist: project_%04d>=1.0\n"
                    % (name, version, (p + 1) % projects)
                ).encode(),
                dist_info + "/WHEEL": b"Wheel-Version: 1.0\nGenerator: make_wheels\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
            }
            record = "".join("%s,%s,%d\n" % (path, record_hash(data), len(data)) for path, data in files.items())
            files[dist_info + "/RECORD"] = (record + dist_info + "/RECORD,,\n").encode()
            path = os.path.join(out, "%s-%s-py3-none-any.whl" % (name, version))
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                for member, data in files.items():
                    archive.writestr(member, data)


if __name__ == "__main__":
    main()

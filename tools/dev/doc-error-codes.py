#!/usr/bin/env python3
"""Counts the public declarations that return a Status or a Result and whether their `///`
comment names the error codes they return (CONTRIBUTING.md, "Style"). Prints the totals and,
with --list, each declaration whose comment names none. A line-based reading of the public
headers (<layer>/include/arrowpack/): a declaration is a line that starts with Status or
Result<, its comment the `///` lines right above it; a comment that names the codes or refers
to another function's ("the errors of open()") counts. Overrides are documented by the
interface they override, and are not counted."""
import glob
import re
import sys

CODES = re.compile(r"\b(Invalid|IOError|KeyError|TypeError|IndexError|NotImplemented|CapacityError|"
                   r"SerializationError|OutOfMemory|EINVAL|ENOMEM|ENOSYS|EIO)\b|(errors|those) of [\w:]+\(")
DECLARATION = re.compile(r"\s*(static\s+|virtual\s+|inline\s+|\[\[nodiscard\]\]\s+)*(Status|Result<)")


def main():
    total = named = 0
    missing = []
    for path in sorted(glob.glob("*/include/arrowpack/**/*.h", recursive=True)):
        lines = open(path, encoding="utf-8").read().split("\n")
        for i, line in enumerate(lines):
            if not DECLARATION.match(line) or "(" not in line or re.search(r"\w+_(\{| =|;)", line):
                continue  # not a function (a data member)
            if "override" in line:
                continue  # documented where it is declared first (the interface)
            if i > 0 and lines[i - 1].strip().startswith("//") and not lines[i - 1].strip().startswith("///"):
                continue  # a private helper, described by an implementation comment
            j, doc = i - 1, []
            while j >= 0 and lines[j].strip().startswith("///"):
                doc.insert(0, lines[j])
                j -= 1
            total += 1
            if CODES.search(" ".join(d.strip().lstrip("/").strip() for d in doc)):
                named += 1
            else:
                missing.append(f"{path}:{i + 1}")
    print(f"{named} of {total} declarations that return Status or Result name their error codes")
    if "--list" in sys.argv:
        print("\n".join(missing))


if __name__ == "__main__":
    main()

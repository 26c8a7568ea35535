#!/usr/bin/env python3
"""Counts the public declarations that return a Status or a Result and whether their `///`
comment names the error codes they return (CONTRIBUTING.md, "Style"). Prints the totals and,
with --list, each declaration whose comment names none. A line-based reading of the public
headers (<layer>/include/arrowpack/): a declaration is a line that starts with Status or
Result<, its comment the `///` lines right above it; a comment that names the codes or refers
to another function's ("the errors of open()") counts, and so does one that says it has none
("never fails", "Errors: none"). Overrides are documented by the
interface they override, and are not counted; nor are private and protected members or what is
in a `namespace detail`."""
import glob
import re
import sys

CODES = re.compile(r"\b(Invalid|IOError|KeyError|TypeError|IndexError|NotImplemented|CapacityError|"
                   r"SerializationError|OutOfMemory|EINVAL|ENOMEM|ENOSYS|EIO)\b|(errors|those) of [\w:]+\(|"
                   r"\bnever fails\b|\bErrors: none\b")
DECLARATION = re.compile(r"\s*(static\s+|virtual\s+|inline\s+|\[\[nodiscard\]\]\s+)*(Status|Result<)")
# Status's and Result's own constructors and assignments return no error code.
CONSTRUCTOR = re.compile(r"\s*(explicit\s+)?(Status|Result)(\(|&\s*operator=)")


def main():
    total = named = 0
    missing = []
    for path in sorted(glob.glob("*/include/arrowpack/**/*.h", recursive=True)):
        lines = open(path, encoding="utf-8").read().split("\n")
        hidden_indent, in_detail = None, False  # inside private:/protected:, namespace detail
        for i, line in enumerate(lines):
            access = re.match(r"(\s*)(public|private|protected):", line)
            if access:
                hidden_indent = None if access.group(2) == "public" else len(access.group(1))
            elif hidden_indent is not None and re.match(r"\s*};", line) and \
                    len(line) - len(line.lstrip()) < hidden_indent + 1:
                hidden_indent = None
            if re.match(r"\s*namespace detail\b", line):
                in_detail = True
            elif re.match(r"\s*}\s*// namespace detail", line):
                in_detail = False
            if hidden_indent is not None or in_detail:
                continue  # not public: described by implementation comments
            if not DECLARATION.match(line) or "(" not in line or re.search(r"\w+_(\{| =|;)", line):
                continue  # not a function (a data member)
            if CONSTRUCTOR.match(line):
                continue
            if "override" in line:
                continue  # documented where it is declared first (the interface)
            if i > 0 and lines[i - 1].strip().startswith("//") and not lines[i - 1].strip().startswith("///"):
                continue  # a private helper, described by an implementation comment
            j, doc = i - 1, []
            while j >= 0 and lines[j].strip().startswith("template"):
                j -= 1  # the comment goes above the template line
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

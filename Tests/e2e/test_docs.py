"""The README a newcomer reads first, and the guides beside it: the two commands come first, and
every relative link in the README and in docs/ names a file that exists."""
import os
import re

from conftest import ROOT


def markdown_files():
    yield os.path.join(ROOT, "README.md")
    for name in sorted(os.listdir(os.path.join(ROOT, "docs"))):
        if name.endswith(".md"):
            yield os.path.join(ROOT, "docs", name)


def test_the_readme_opens_with_the_two_commands():
    first = open(os.path.join(ROOT, "README.md")).read().splitlines()[:40]
    assert any(line.startswith("make run ") for line in first) and any(line.startswith("make test ") for line in first)


def test_every_relative_link_in_the_readme_and_the_guides_resolves():
    broken = []
    for path in markdown_files():
        for target in re.findall(r"\]\(([^)\s]+)\)", open(path).read()):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            if not os.path.exists(os.path.join(os.path.dirname(path), target.split("#")[0])):
                broken.append(f"{os.path.relpath(path, ROOT)} → {target}")
    assert broken == []
    # Every guide is linked from the README.
    readme = open(os.path.join(ROOT, "README.md")).read()
    unlinked = [name for name in os.listdir(os.path.join(ROOT, "docs")) if name.endswith(".md") and f"(docs/{name})" not in readme]
    assert unlinked == []

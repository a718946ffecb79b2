"""Lists C2 compilations that left Vector API intrinsics as calls (boxed Java fallbacks).

JDK 17's C2 expands every Vector API intrinsic late, after parsing, and only while the method it
compiles stays under its node budget; what it does not expand runs the Java fallback, boxing each
vector. A JVM's log shows which compilations did so, and in which Kiln kernels:

    java -XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=/tmp/c2.log \
        --add-modules jdk.incubator.vector -jar samples/target/kiln-samples.jar bench W1 W2
    python3 samples/src/test/python/unexpanded_vector_calls.py /tmp/c2.log

C1's compilations never expand intrinsics and are skipped. (Ninth session of
docs/performance-history.md: the batch-1 slow mode this found.)
"""
import collections
import re
import sys

VECTOR_SUPPORT = "jdk.internal.vm.vector.VectorSupport"


def tasks(lines):
    """Yields (task header, body lines, the compiler thread's ids) for each compilation in the log.

    A compiler thread numbers classes and methods once for all its tasks, so the names an id
    stands for are kept per thread (each thread's log is one <compilation_log> section).
    """
    header, body, ids = None, [], ({}, {})
    for line in lines:
        if line.startswith("<compilation_log"):
            ids = ({}, {})
        elif line.startswith("<task "):
            header, body = line, []
        elif line.startswith("</task>") and header is not None:
            yield header, body, ids
            header = None
        elif header is not None:
            body.append(line)
        # Every task's definitions count, C1's included: later tasks of the thread use their ids.
        if m := re.match(r"<klass id='(\d+)' name='([^']*)'", line):
            ids[0][m.group(1)] = m.group(2)
        elif m := re.match(r"<method id='(\d+)' holder='(\d+)' name='([^']*)'", line):
            ids[1][m.group(1)] = (ids[0].get(m.group(2), ""), m.group(3))


def unexpanded(body, ids):
    """Counts, by operation and the innermost Kiln methods around it, the calls not expanded."""
    methods, parsing, calls, expanded = ids[1], [], [], set()
    last_call = None
    for line in body:
        if m := re.match(r"<parse method='(\d+)'", line):
            parsing.append(methods.get(m.group(1), ("", "?")))
        elif line.startswith("</parse>"):
            parsing.pop()
        elif m := re.match(r"<call method='(\d+)'", line):
            holder, name = methods.get(m.group(1), ("", ""))
            kiln = [method for owner, method in parsing if owner.startswith("dev.kiln")]
            last_call = (name, " > ".join(kiln[-3:])) if holder == VECTOR_SUPPORT else None
        elif m := re.match(r"<inline_id id='(\d+)'", line):
            if last_call is not None:
                calls.append((m.group(1), last_call))
        elif m := re.match(r"<late_inline method='\d+'\s+inline_id='(\d+)'", line):
            expanded.add(m.group(1))
    return collections.Counter(call for inline_id, call in calls if inline_id not in expanded)


def main(path):
    with open(path, encoding="utf-8", errors="replace") as log:
        lines = log.read().split("\n")
    found = 0
    for header, body, ids in tasks(lines):
        if "compiler='c1'" in header or "level='3'" in header or "level='2'" in header or "level='1'" in header:
            continue
        left = unexpanded(body, ids)
        if not left:
            continue
        found += 1
        method = re.search(r"method='([^']*)'", header).group(1)
        stamp = re.search(r"stamp='([\d.]+)'", header).group(1)
        print(f"{stamp} s  {method}")
        for (operation, kernels), count in left.most_common():
            print(f"    {count:3d} x {operation:<18} in {kernels or '(no Kiln method)'}")
    print(f"{found} C2 compilation(s) left Vector API calls unexpanded")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: unexpanded_vector_calls.py LOGFILE (from -XX:+LogCompilation -XX:LogFile=...)")
    main(sys.argv[1])

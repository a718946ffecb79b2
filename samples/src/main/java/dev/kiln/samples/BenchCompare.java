package dev.kiln.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code kiln-samples.jar bench-compare --before A.jar --after B.jar [--java PATH]... [--rounds N]
 * BENCH-ARGS}: the same {@code bench} run in fresh JVMs of two builds, interleaved (before, after;
 * after, before; ...) so a drift of the machine falls on both, on each JDK given, then every
 * numeric figure's median and range per build and the ratio of the medians. On the shared
 * machines this project has measured on, a figure moves by 20% or more between JVMs: one pair of
 * runs says little; the performance notes quote three interleaved rounds.
 */
final class BenchCompare {
  static final String USAGE = "usage: kiln-samples.jar bench-compare --before A.jar --after B.jar [--java PATH]..."
      + " [--rounds N] probe|W1|...|all [--threads N]";

  /** Figures that name the run rather than measure it. */
  private static final List<String> LABELS = List.of("workload", "threads", "jdk", "simd");

  private BenchCompare() {}

  static int run(String[] args, PrintStream out) throws IOException, InterruptedException {
    Options options = Options.parse(args);
    for (String java : options.javas) {
      Results results = new Results();
      for (int round = 0; round < options.rounds; round++) {
        // Alternate the order, so neither build always runs first after the other's JVM.
        String[] order = round % 2 == 0 ? new String[] {"before", "after"} : new String[] {"after", "before"};
        for (String build : order) {
          Path jar = build.equals("before") ? options.before : options.after;
          List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-jar",
              jar.toString()));
          if (!Main.dataDirectory().equals(Path.of(Main.DEFAULT_DATA))) {
            command.addAll(List.of("--data", Main.dataDirectory().toString()));
          }
          command.add("bench");
          command.addAll(options.benchArgs);
          command.add("--json");
          out.printf(Locale.ROOT, "round %d/%d, %s: %s%n", round + 1, options.rounds, build, String.join(" ", command));
          for (String line : runJvm(command)) {
            results.add(build, parseFlatJson(line));
          }
        }
      }
      out.println();
      out.println("== " + java + (results.jdk.isEmpty() ? "" : " (JDK " + results.jdk + ")"));
      out.print(results.table());
    }
    return 0;
  }

  /** The JSON lines a bench JVM printed; its other output is passed on to stderr. */
  private static List<String> runJvm(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<String> json = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.startsWith("{")) {
          json.add(line);
        } else {
          System.err.println(line);
        }
      }
    }
    int status = process.waitFor();
    if (status != 0) {
      throw new IOException("exit status " + status + " from " + String.join(" ", command));
    }
    return json;
  }

  /** The command line: two jars, JDKs, rounds, and the arguments {@code bench} gets. */
  static final class Options {
    Path before;
    Path after;
    final List<String> javas = new ArrayList<>();
    int rounds = 3;
    final List<String> benchArgs = new ArrayList<>();

    static Options parse(String[] args) {
      Options options = new Options();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--before":
            options.before = existingFile(value(args, i++), "--before");
            break;
          case "--after":
            options.after = existingFile(value(args, i++), "--after");
            break;
          case "--java":
            options.javas.add(value(args, i++));
            break;
          case "--rounds":
            String rounds = value(args, i++);
            try {
              options.rounds = Integer.parseInt(rounds);
            } catch (NumberFormatException e) {
              throw usage("--rounds needs a whole number, got " + rounds);
            }
            if (options.rounds < 1) {
              throw usage("--rounds must be >= 1, got " + rounds);
            }
            break;
          case "--json":
            break; // always: the comparison reads bench's JSON
          default:
            options.benchArgs.add(args[i]);
        }
      }
      if (options.before == null || options.after == null) {
        throw usage("name both builds with --before and --after");
      }
      if (options.benchArgs.isEmpty()) {
        throw usage("name a workload");
      }
      if (options.javas.isEmpty()) {
        options.javas.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      }
      return options;
    }

    private static String value(String[] args, int i) {
      if (i + 1 >= args.length) {
        throw usage(args[i] + " needs a value");
      }
      return args[i + 1];
    }

    private static Path existingFile(String name, String option) {
      Path path = Path.of(name);
      if (!Files.isRegularFile(path)) {
        throw usage(option + " " + name + " is not a file");
      }
      return path;
    }
  }

  private static IllegalArgumentException usage(String problem) {
    return new IllegalArgumentException(problem + "; " + USAGE);
  }

  /** Every numeric figure per workload line (workload and threads) and build, in arrival order. */
  static final class Results {
    private final Map<String, Map<String, Map<String, List<Double>>>> figures = new LinkedHashMap<>();
    String jdk = "";

    void add(String build, Map<String, Object> line) {
      Object workload = line.get("workload");
      if (workload == null) {
        throw new IllegalArgumentException("a bench line without \"workload\": " + line);
      }
      Object threads = line.get("threads");
      String key = workload + (threads == null ? "" : " (" + formatNumber(threads) + "t)");
      if (line.get("jdk") instanceof String version) {
        jdk = version;
      }
      Map<String, Map<String, List<Double>>> byFigure = figures.computeIfAbsent(key, k -> new LinkedHashMap<>());
      for (Map.Entry<String, Object> e : line.entrySet()) {
        if (!LABELS.contains(e.getKey()) && e.getValue() instanceof Double value) {
          byFigure.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>())
              .computeIfAbsent(build, k -> new ArrayList<>()).add(value);
        }
      }
    }

    /** One row per figure: before and after as median (min-max), and after / before. */
    String table() {
      StringBuilder table = new StringBuilder();
      table.append(String.format(Locale.ROOT, "%-34s %-30s %-30s %s%n", "workload / figure", "before median (range)",
          "after median (range)", "after/before"));
      for (Map.Entry<String, Map<String, Map<String, List<Double>>>> workload : figures.entrySet()) {
        for (Map.Entry<String, Map<String, List<Double>>> figure : workload.getValue().entrySet()) {
          List<Double> before = figure.getValue().getOrDefault("before", List.of());
          List<Double> after = figure.getValue().getOrDefault("after", List.of());
          String ratio = before.isEmpty() || after.isEmpty() || median(before) == 0 ? "-"
              : String.format(Locale.ROOT, "%.3f", median(after) / median(before));
          table.append(String.format(Locale.ROOT, "%-34s %-30s %-30s %s%n",
              workload.getKey() + " " + figure.getKey(), summary(before), summary(after), ratio));
        }
      }
      return table.toString();
    }

    private static String summary(List<Double> values) {
      if (values.isEmpty()) {
        return "-";
      }
      double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return String.format(Locale.ROOT, "%.4g (%.4g-%.4g)", median(values), sorted[0], sorted[sorted.length - 1]);
    }

    private static double median(List<Double> values) {
      return Bench.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static String formatNumber(Object value) {
      return value instanceof Double d && d == Math.rint(d) ? String.valueOf(d.longValue()) : String.valueOf(value);
    }
  }

  /**
   * One flat JSON object as {@code Bench} prints it: string values and numbers (as Double), no
   * nesting. Anything else is refused with where it went wrong.
   */
  static Map<String, Object> parseFlatJson(String text) {
    Map<String, Object> values = new LinkedHashMap<>();
    int[] at = {skipSpaces(text, 0)};
    expect(text, at, '{');
    if (peek(text, at) == '}') {
      at[0]++;
    } else {
      while (true) {
        String key = readString(text, at);
        expect(text, at, ':');
        Object value = peek(text, at) == '"' ? readString(text, at) : readNumber(text, at);
        if (values.put(key, value) != null) {
          throw malformed(text, at[0], "key \"" + key + "\" twice");
        }
        char next = peek(text, at);
        at[0]++;
        if (next == '}') {
          break;
        }
        if (next != ',') {
          throw malformed(text, at[0] - 1, "expected , or }");
        }
      }
    }
    if (skipSpaces(text, at[0]) != text.length()) {
      throw malformed(text, at[0], "text after the object");
    }
    return values;
  }

  private static char peek(String text, int[] at) {
    at[0] = skipSpaces(text, at[0]);
    if (at[0] >= text.length()) {
      throw malformed(text, at[0], "unexpected end");
    }
    return text.charAt(at[0]);
  }

  private static void expect(String text, int[] at, char c) {
    if (peek(text, at) != c) {
      throw malformed(text, at[0], "expected " + c);
    }
    at[0]++;
  }

  private static String readString(String text, int[] at) {
    expect(text, at, '"');
    StringBuilder s = new StringBuilder();
    for (int i = at[0]; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"') {
        at[0] = i + 1;
        return s.toString();
      }
      if (c == '\\') {
        if (++i >= text.length()) {
          break;
        }
        char e = text.charAt(i);
        switch (e) {
          case '"', '\\', '/' -> s.append(e);
          case 'n' -> s.append('\n');
          case 't' -> s.append('\t');
          default -> throw malformed(text, i, "unsupported escape \\" + e);
        }
      } else {
        s.append(c);
      }
    }
    throw malformed(text, text.length(), "unterminated string");
  }

  private static Double readNumber(String text, int[] at) {
    int start = at[0];
    int end = start;
    while (end < text.length() && "+-0123456789.eE".indexOf(text.charAt(end)) >= 0) {
      end++;
    }
    try {
      double value = Double.parseDouble(text.substring(start, end));
      at[0] = end;
      return value;
    } catch (NumberFormatException e) {
      throw malformed(text, start, "expected a string or a number");
    }
  }

  private static int skipSpaces(String text, int i) {
    while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    return i;
  }

  private static IllegalArgumentException malformed(String text, int at, String problem) {
    return new IllegalArgumentException("bench line malformed at " + at + " (" + problem + "): " + text);
  }
}

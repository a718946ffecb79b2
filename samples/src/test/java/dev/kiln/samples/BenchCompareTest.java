package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench-compare}: bench's JSON read back, interleaved rounds, medians, ranges and ratios. */
class BenchCompareTest {
  @Test
  void readsWhatBenchWrites() {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("workload", "W3");
    figures.put("threads", 2);
    figures.put("simd", "Vector API, 16 float lanes (512-bit) \"quoted\" \\ slash");
    figures.put("samples_per_second", 345181.25);
    figures.put("of_probe", 7.35994e-1);
    Map<String, Object> read = BenchCompare.parseFlatJson(Bench.toJson(figures));
    assertEquals("W3", read.get("workload"));
    assertEquals(2.0, read.get("threads"));
    assertEquals(figures.get("simd"), read.get("simd"));
    assertEquals(345181.0, (Double) read.get("samples_per_second"), 0.5); // %.6g
    assertEquals(0.735994, (Double) read.get("of_probe"), 1e-9);
    assertEquals(Map.of(), BenchCompare.parseFlatJson(" { } "));
  }

  @Test
  void refusesMalformedLinesSayingWhere() {
    for (String bad : List.of("", "{\"a\": 1", "{\"a\" 1}", "{\"a\": x}", "{\"a\": 1} tail", "{\"a\": 1, \"a\": 2}",
        "{\"a\": \"open}", "[1]")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchCompare.parseFlatJson(bad),
          bad);
      assertTrue(e.getMessage().startsWith("bench line malformed at "), e.getMessage());
    }
  }

  @Test
  void tableGivesMediansRangesAndTheRatioOfMedians() {
    BenchCompare.Results results = new BenchCompare.Results();
    double[] before = {300, 330, 310};
    double[] after = {360, 340, 350};
    for (int i = 0; i < 3; i++) {
      results.add("before", BenchCompare.parseFlatJson(
          "{\"workload\": \"W3\", \"threads\": 1, \"jdk\": \"17.0.15\", \"samples_per_second\": " + before[i] + "}"));
      results.add("after", BenchCompare.parseFlatJson(
          "{\"workload\": \"W3\", \"threads\": 1, \"jdk\": \"17.0.15\", \"samples_per_second\": " + after[i] + "}"));
    }
    String table = results.table();
    // Medians 310 and 350: 350 / 310 = 1.129.
    assertTrue(table.contains("W3 (1t) samples_per_second"), table);
    assertTrue(table.contains("310.0 (300.0-330.0)"), table);
    assertTrue(table.contains("350.0 (340.0-360.0)"), table);
    assertTrue(table.contains("1.129"), table);
    assertTrue(!table.contains("jdk") && !table.contains(" threads "), table);
    assertEquals("17.0.15", results.jdk);
  }

  @Test
  void optionsSayWhatIsMissing() throws Exception {
    IllegalArgumentException noBuilds = assertThrows(IllegalArgumentException.class,
        () -> BenchCompare.Options.parse(new String[] {"W3"}));
    assertTrue(noBuilds.getMessage().contains("--before and --after"), noBuilds.getMessage());
    IllegalArgumentException missingJar = assertThrows(IllegalArgumentException.class,
        () -> BenchCompare.Options.parse(new String[] {"--before", "/no/such.jar", "--after", "/no/such.jar", "W3"}));
    assertTrue(missingJar.getMessage().contains("is not a file"), missingJar.getMessage());
    Path jar = Files.createTempFile("kiln", ".jar");
    try {
      String[] zeroRounds = {"--before", jar.toString(), "--after", jar.toString(), "--rounds", "0", "W3"};
      assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchCompare.Options.parse(zeroRounds))
          .getMessage().contains("--rounds must be >= 1"));
      String[] noWorkload = {"--before", jar.toString(), "--after", jar.toString()};
      assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchCompare.Options.parse(noWorkload))
          .getMessage().contains("name a workload"));
      BenchCompare.Options options = BenchCompare.Options.parse(
          new String[] {"--before", jar.toString(), "--after", jar.toString(), "W4", "--threads", "1", "--json"});
      assertEquals(List.of("W4", "--threads", "1"), options.benchArgs);
      assertEquals(3, options.rounds);
      assertEquals(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()), options.javas);
    } finally {
      Files.delete(jar);
    }
  }

  /** A stand-in for java that prints a bench line per jar and logs which jar ran, in order. */
  @Test
  void runsTheBuildsInAlternatingOrderAndComparesThem(@TempDir Path dir) throws Exception {
    Path before = Files.createFile(dir.resolve("before.jar"));
    Path after = Files.createFile(dir.resolve("after.jar"));
    Path log = dir.resolve("order.log");
    Path fakeJava = dir.resolve("java");
    Files.writeString(fakeJava, "#!/bin/sh\n"
        + "jar=\"$4\"\n"
        + "echo \"$jar\" >> '" + log + "'\n"
        + "echo 'progress text that is not JSON'\n"
        + "case \"$jar\" in *after.jar) rate=200 ;; *) rate=100 ;; esac\n"
        + "echo \"{\\\"workload\\\": \\\"W3\\\", \\\"threads\\\": 1, \\\"jdk\\\": \\\"fake\\\", \\\"samples_per_second\\\": $rate}\"\n");
    Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwx------"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status = BenchCompare.run(new String[] {"--before", before.toString(), "--after", after.toString(),
        "--java", fakeJava.toString(), "--rounds", "3", "W3", "--threads", "1"},
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertEquals(0, status);
    List<String> order = Files.readAllLines(log).stream().map(p -> Path.of(p).getFileName().toString()).toList();
    assertEquals(List.of("before.jar", "after.jar", "after.jar", "before.jar", "before.jar", "after.jar"), order);
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("bench W3 --threads 1 --json"), printed);
    assertTrue(printed.contains("(JDK fake)"), printed);
    assertTrue(printed.contains("100.0 (100.0-100.0)") && printed.contains("200.0 (200.0-200.0)"), printed);
    assertTrue(printed.contains("2.000"), printed);
  }

  @Test
  void aFailingBenchJvmStopsTheComparisonWithItsCommand(@TempDir Path dir) throws Exception {
    Path jar = Files.createFile(dir.resolve("a.jar"));
    Path fakeJava = dir.resolve("java");
    Files.writeString(fakeJava, "#!/bin/sh\necho 'no such workload' >&2\nexit 2\n");
    Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwx------"));
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> BenchCompare.run(new String[] {
        "--before", jar.toString(), "--after", jar.toString(), "--java", fakeJava.toString(), "W9"},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().startsWith("exit status 2 from " + fakeJava), e.getMessage());
  }
}

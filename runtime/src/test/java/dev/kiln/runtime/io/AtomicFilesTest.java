package dev.kiln.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Temporary files of killed writers are recognised and removed by the next write. */
class AtomicFilesTest {
  @TempDir Path dir;

  private static void write(Path target, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(target, channel -> AtomicFiles.writeFully(channel, ByteBuffer.wrap(bytes)));
  }

  private List<String> names() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** A pid no process has: one of a child that has exited (pid reuse within the test is unlikely). */
  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertTrue(ProcessHandle.of(p.pid()).map(h -> !h.isAlive()).orElse(true));
    return p.pid();
  }

  private static long startMillis(ProcessHandle p) {
    return p.info().startInstant().map(Instant::toEpochMilli).orElseThrow();
  }

  @Test
  void writeRemovesTempFilesOfDeadWritersOnly() throws Exception {
    Path target = dir.resolve("model.safetensors");
    long me = ProcessHandle.current().pid();
    long myStart = startMillis(ProcessHandle.current());
    String dead = ".model.safetensors.kiln-tmp-" + deadPid() + "-1700000000000-1";
    String reusedPid = ".model.safetensors.kiln-tmp-" + me + "-" + (myStart - 60_000) + "-2";
    String live = ".model.safetensors.kiln-tmp-" + me + "-" + myStart + "-999999";
    String foreign = ".model.safetensors.kiln-tmp-notes";
    String otherTarget = ".other.npy.kiln-tmp-" + deadPid() + "-1700000000000-1";
    for (String name : List.of(dead, reusedPid, live, foreign, otherTarget)) {
      Files.writeString(dir.resolve(name), "partial");
    }
    write(target, "new");
    assertEquals("new", Files.readString(target));
    assertEquals(List.of(live, foreign, otherTarget, "model.safetensors").stream().sorted().toList(),
        names());
  }

  @Test
  void isStaleReadsPidAndStartTime() throws Exception {
    long me = ProcessHandle.current().pid();
    long myStart = startMillis(ProcessHandle.current());
    assertFalse(AtomicFiles.isStale(me + "-" + myStart + "-1"));
    assertTrue(AtomicFiles.isStale(me + "-" + (myStart + 1) + "-1"));
    assertTrue(AtomicFiles.isStale(deadPid() + "-" + myStart + "-1"));
    ProcessHandle parent = ProcessHandle.current().parent().orElseThrow();
    assertFalse(AtomicFiles.isStale(parent.pid() + "-" + startMillis(parent) + "-7"));
    assertTrue(AtomicFiles.isStale(parent.pid() + "-" + (startMillis(parent) - 5) + "-7"));
    assertFalse(AtomicFiles.isStale("x-1-2"));
    assertFalse(AtomicFiles.isStale("1-2"));
  }

  @Test
  void failedWriteLeavesOnlyTheOldFile() throws Exception {
    Path target = dir.resolve("a.npy");
    write(target, "old");
    IOException e = assertThrows(IOException.class,
        () -> AtomicFiles.write(target, channel -> { throw new IOException("disk full"); }));
    assertEquals("disk full", e.getMessage());
    assertEquals("old", Files.readString(target));
    assertEquals(List.of("a.npy"), names());
  }

  @Test
  void nullArgumentsAreNamed() throws IOException {
    NullPointerException path = assertThrows(NullPointerException.class,
        () -> AtomicFiles.write(null, channel -> { }));
    assertEquals("path", path.getMessage());
    NullPointerException content = assertThrows(NullPointerException.class,
        () -> AtomicFiles.write(dir.resolve("x"), null));
    assertEquals("content", content.getMessage());
    assertEquals(List.of(), names());
  }

  /** A real writer process killed with SIGKILL mid-write, a few times over. */
  @Test
  void nextWriteRemovesWhatAKilledProcessLeft() {
    assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
      Path target = dir.resolve("weights.safetensors");
      write(target, "version 0");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      for (int round = 1; round <= 3; round++) {
        Process child = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
            KilledWriter.class.getName(), target.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
          assertEquals("writing", out.readLine(), "round " + round);
        } finally {
          child.destroyForcibly();
          assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        List<String> left = names();
        assertEquals(2, left.size(), left.toString());
        String expected = ".weights.safetensors.kiln-tmp-" + child.pid() + "-";
        assertTrue(left.get(0).startsWith(expected), left.get(0) + " should start with " + expected);
        assertEquals(1 << 16, Files.size(dir.resolve(left.get(0))));
        assertEquals("version " + (round - 1), Files.readString(target), "the target is untouched");

        write(target, "version " + round);
        assertEquals(List.of("weights.safetensors"), names(), "round " + round);
        assertArrayEquals(("version " + round).getBytes(StandardCharsets.UTF_8), Files.readAllBytes(target));
      }
    });
  }
}

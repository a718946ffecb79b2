package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The choice between the kernel implementations, including in fresh JVMs started with and
 * without {@code --add-modules jdk.incubator.vector}: the only way to see what a user who did
 * not add the module gets.
 */
class KernelSelectorTest {

  @Test
  void scalarIsAlwaysAvailable() {
    assertEquals("scalar", KernelSelector.scalarGemm().description());
    assertEquals("scalar", KernelSelector.scalarElementwise().description());
    assertInstanceOf(ScalarGemm.class, KernelSelector.scalarGemm());
    assertInstanceOf(ScalarElementwise.class, KernelSelector.scalarElementwise());
  }

  @Test
  void activeIsVectorWhenTheModuleIsPresent() {
    assumeTrue(KernelSelector.vectorModulePresent());
    assumeFalse("false".equalsIgnoreCase(System.getProperty("kiln.simd")));
    assertInstanceOf(VectorGemm.class, activeGemm());
    assertInstanceOf(VectorElementwise.class, Elementwise.ACTIVE);
    assertInstanceOf(VectorGemm.class, KernelSelector.vectorGemm());
    assertInstanceOf(VectorElementwise.class, KernelSelector.vectorElementwise());
  }

  @Test
  void vectorWithoutTheModuleExplainsHowToGetIt() {
    assumeFalse(KernelSelector.vectorModulePresent());
    IllegalStateException e = assertThrows(IllegalStateException.class, KernelSelector::vectorGemm);
    assertTrue(e.getMessage().contains("--add-modules jdk.incubator.vector"), e.getMessage());
    e = assertThrows(IllegalStateException.class, KernelSelector::vectorElementwise);
    assertTrue(e.getMessage().contains("--add-modules jdk.incubator.vector"), e.getMessage());
  }

  @Test
  void simdFalsePropertyForcesScalar() {
    String previous = System.getProperty("kiln.simd");
    System.setProperty("kiln.simd", "false");
    try {
      assertInstanceOf(ScalarGemm.class, unwrap(KernelSelector.selectGemm()));
      assertInstanceOf(ScalarElementwise.class, KernelSelector.selectElementwise());
    } finally {
      if (previous == null) {
        System.clearProperty("kiln.simd");
      } else {
        System.setProperty("kiln.simd", previous);
      }
    }
  }

  @Test
  void freshJvmWithoutTheModuleFallsBackWithOneLine() throws Exception {
    Result r = runChild(List.of());
    assertEquals(List.of("scalar", "scalar"), r.stdout.lines().toList());
    assertEquals(List.of(KernelSelector.MODULE_MISSING_MESSAGE), r.kilnLines(), r.stderr);
    // Through System.Logger: the JDK's default (java.util.logging) names the source and the level.
    List<String> err = r.stderr.lines().toList();
    int notice = err.indexOf("INFO: " + KernelSelector.MODULE_MISSING_MESSAGE);
    assertTrue(notice > 0, r.stderr);
    assertTrue(err.get(notice - 1).contains(KernelSelector.class.getName()), r.stderr);
  }

  @Test
  void quietPropertyHidesTheLine() throws Exception {
    Result r = runChild(List.of("-Dkiln.simd.quiet=true"));
    assertEquals(List.of("scalar", "scalar"), r.stdout.lines().toList());
    assertEquals(List.of(), r.kilnLines(), r.stderr);
  }

  @Test
  void freshJvmWithTheModuleIsVectorizedAndSilent() throws Exception {
    Result r = runChild(List.of("--add-modules", "jdk.incubator.vector"));
    List<String> lines = r.stdout.lines().toList();
    assertEquals(2, lines.size(), r.stdout + r.stderr);
    assertTrue(lines.get(0).startsWith("Vector API, "), r.stdout + r.stderr);
    assertEquals(lines.get(0), lines.get(1));
    assertEquals(List.of(), r.kilnLines(), r.stderr);
  }

  /** The SIMD products behind {@link Gemm#ACTIVE}, through the threading wrapper if any. */
  static Gemm activeGemm() {
    return unwrap(Gemm.ACTIVE);
  }

  static Gemm unwrap(Gemm gemm) {
    return gemm instanceof ThreadedGemm threaded ? threaded.delegate() : gemm;
  }

  /**
   * Entry point of the child JVMs: prints the descriptions of {@link Gemm#ACTIVE} and
   * {@link Elementwise#ACTIVE}, one per line, so a test sees that choosing both prints one line.
   */
  public static final class PrintActiveKernels {
    public static void main(String[] args) {
      System.out.println(Gemm.ACTIVE.description());
      System.out.println(Elementwise.ACTIVE.description());
    }
  }

  private record Result(String stdout, String stderr) {
    /** Lines Kiln printed (the JVM adds its own incubator-module warning). */
    List<String> kilnLines() {
      return stderr.lines().filter(l -> l.contains("[kiln]")).map(l -> l.substring(l.indexOf("[kiln]"))).toList();
    }
  }

  private static Result runChild(List<String> jvmArgs) throws IOException, InterruptedException {
    String javaLauncher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = location(KernelSelector.class) + File.pathSeparator
        + location(KernelSelectorTest.class);
    List<String> command = new ArrayList<>();
    command.add(javaLauncher);
    command.add("-Xshare:auto");
    command.add("-Duser.language=en"); // the JDK logger localizes level names
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classpath);
    command.add(PrintActiveKernels.class.getName());
    Path err = Files.createTempFile("kiln-child", ".err");
    try {
      Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
      String stderr = Files.readString(err);
      assertEquals(0, p.exitValue(), stderr);
      return new Result(out, stderr);
    } finally {
      Files.deleteIfExists(err);
    }
  }

  private static String location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}

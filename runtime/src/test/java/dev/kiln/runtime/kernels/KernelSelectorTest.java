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
    assertEquals("scalar", KernelSelector.scalar().description());
    assertInstanceOf(ScalarKernels.class, KernelSelector.scalar());
  }

  @Test
  void activeIsVectorWhenTheModuleIsPresent() {
    assumeTrue(KernelSelector.vectorModulePresent());
    assumeFalse("false".equalsIgnoreCase(System.getProperty("kiln.simd")));
    assertInstanceOf(VectorKernels.class, active());
    assertInstanceOf(VectorKernels.class, KernelSelector.vector());
  }

  @Test
  void vectorWithoutTheModuleExplainsHowToGetIt() {
    assumeFalse(KernelSelector.vectorModulePresent());
    IllegalStateException e = assertThrows(IllegalStateException.class, KernelSelector::vector);
    assertTrue(e.getMessage().contains("--add-modules jdk.incubator.vector"), e.getMessage());
  }

  @Test
  void simdFalsePropertyForcesScalar() {
    String previous = System.getProperty("kiln.simd");
    System.setProperty("kiln.simd", "false");
    try {
      assertInstanceOf(ScalarKernels.class, unwrap(KernelSelector.select()));
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
    assertEquals("scalar", r.stdout.strip());
    assertEquals(List.of(KernelSelector.MODULE_MISSING_MESSAGE), r.kilnLines(), r.stderr);
  }

  @Test
  void quietPropertyHidesTheLine() throws Exception {
    Result r = runChild(List.of("-Dkiln.simd.quiet=true"));
    assertEquals("scalar", r.stdout.strip());
    assertEquals(List.of(), r.kilnLines(), r.stderr);
  }

  @Test
  void freshJvmWithTheModuleIsVectorizedAndSilent() throws Exception {
    Result r = runChild(List.of("--add-modules", "jdk.incubator.vector"));
    assertTrue(r.stdout.strip().startsWith("Vector API, "), r.stdout + r.stderr);
    assertEquals(List.of(), r.kilnLines(), r.stderr);
  }

  /** The SIMD implementation behind {@link Kernels#ACTIVE}, through the threading wrapper if any. */
  static Kernels active() {
    return unwrap(Kernels.ACTIVE);
  }

  static Kernels unwrap(Kernels kernels) {
    return kernels instanceof ThreadedKernels threaded ? threaded.delegate() : kernels;
  }

  /** Entry point of the child JVMs: prints the description of {@link Kernels#ACTIVE}. */
  public static final class PrintActiveKernels {
    public static void main(String[] args) {
      System.out.println(Kernels.ACTIVE.description());
    }
  }

  private record Result(String stdout, String stderr) {
    /** Lines Kiln printed (the JVM adds its own incubator-module warning). */
    List<String> kilnLines() {
      return stderr.lines().filter(l -> l.startsWith("[kiln]")).toList();
    }
  }

  private static Result runChild(List<String> jvmArgs) throws IOException, InterruptedException {
    String javaLauncher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = location(KernelSelector.class) + File.pathSeparator
        + location(KernelSelectorTest.class);
    List<String> command = new ArrayList<>();
    command.add(javaLauncher);
    command.add("-Xshare:auto");
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

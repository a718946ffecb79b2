package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.kernels.KernelSelector;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Iris's narrow kernels (4 -> 10 -> 3 at batch 120) through a generated model: {@code warmUp}
 * switches them to their vector twins at once, and a fit on the twins trains to the bits of a fit
 * in a JVM that keeps the scalar kernels ({@code -Dkiln.vectorWarmUp=false}).
 */
class IrisVectorTwinsTest {

  @Test
  void warmUpSwitchesTheNarrowKernelsAndTrainingKeepsItsBits() throws Exception {
    assumeTrue(KernelSelector.vectorModulePresent(), "run with --add-modules jdk.incubator.vector");
    assumeTrue(!"false".equals(System.getProperty("kiln.vectorWarmUp")), "vector warm-up switched off");
    assumeTrue(!"false".equals(System.getProperty("kiln.simd")), "SIMD switched off");
    IrisModel vector = new IrisModel(42, 120);
    vector.core().warmUp(120, 3);
    assertTrue(gateOpen("VectorGemm", "NARROW_PRODUCTS"), "narrow products switched on by warmUp");
    assertTrue(gateOpen("VectorElementwise", "NARROW_SOFTMAX"), "narrow softmax switched on by warmUp");
    assertEquals(scalarFitInAnotherJvm(), fit(vector), "the same seed trains to the same bits on either twin");
  }

  /** Iris's parameters after 30 one-batch epochs, as the hash of their bits. */
  static int fit(IrisModel model) {
    IrisData data = IrisData.load(0.2, 42);
    model.fit(data.trainX, data.trainY, FitOptions.epochs(30).withBatchSize(data.trainX.length).withVerbose(false));
    return Arrays.hashCode(model.core().parameters());
  }

  /** Prints {@link #fit} of a fresh model: run with the scalar twins only. */
  public static void main(String[] args) {
    System.out.println("parameters " + fit(new IrisModel(42, 120)));
  }

  private static int scalarFitInAnotherJvm() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector",
        "-Dkiln.vectorWarmUp=false", "-cp", System.getProperty("java.class.path"), IrisVectorTwinsTest.class.getName())
        .redirectErrorStream(true).start();
    String result = null;
    StringBuilder output = new StringBuilder();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        output.append(line).append('\n');
        if (line.startsWith("parameters ")) {
          result = line.substring("parameters ".length());
        }
      }
    }
    assertEquals(0, child.waitFor(), output.toString());
    assertTrue(result != null, output.toString());
    return Integer.parseInt(result);
  }

  private static boolean gateOpen(String kernelClass, String field) throws Exception {
    Field gateField = Class.forName("dev.kiln.runtime.kernels." + kernelClass).getDeclaredField(field);
    gateField.setAccessible(true);
    Object gate = gateField.get(null);
    Method isOpen = gate.getClass().getDeclaredMethod("isOpen");
    isOpen.setAccessible(true);
    return (Boolean) isOpen.invoke(gate);
  }
}

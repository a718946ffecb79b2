package dev.kiln.runtime.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.io.SafeTensors;
import dev.kiln.runtime.io.SafeTensorsFile;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Schedules and clipping against PyTorch (fixtures/training.safetensors from make_fixtures.py):
 * each schedule's learning-rate sequence equals torch.optim.lr_scheduler's, and each clipping mode
 * equals torch.nn.utils' (whose norm clipping divides by norm + 1e-6; Keras's, which Kiln follows,
 * by the norm: the difference is far inside 1e-5).
 */
class TrainingPyTorchTest {
  private static SafeTensorsFile fixtures;

  @BeforeAll
  static void load() throws Exception {
    fixtures = SafeTensors.read(Path.of(TrainingPyTorchTest.class.getResource("/fixtures/training.safetensors").toURI()));
  }

  static Stream<Arguments> schedules() {
    return Stream.of(
        Arguments.of("step", LearningRateSchedule.stepDecay(0.1f, 0.5, 3)),
        Arguments.of("exponential", LearningRateSchedule.exponentialDecay(0.1f, 0.9, 1)),
        Arguments.of("cosine", LearningRateSchedule.cosineDecay(0.1f, 10, 0.001f)),
        Arguments.of("linear", LearningRateSchedule.linearDecay(0.1f, 0.01f, 10)),
        Arguments.of("warmup", LearningRateSchedule.constant(0.1f).withWarmUp(4)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schedules")
  void learningRateSequenceMatchesTorch(String name, LearningRateSchedule schedule) throws Exception {
    float[] expected = fixtures.floats("schedule." + name + ".lr");
    for (int step = 0; step < expected.length; step++) {
      assertEquals(expected[step], schedule.learningRate(step), 1e-5 * expected[step], name + " step " + step);
    }
  }

  @Test
  void clippingModesMatchTorch() throws Exception {
    int[] offsets = {0, 12};
    int[] sizes = {12, 7};
    assertClipped("clip.value.out", GradientClipping.byValue(0.5f), offsets, sizes);
    assertClipped("clip.norm.out", GradientClipping.byNorm(1.0f), offsets, sizes);
    assertClipped("clip.global.out", GradientClipping.byGlobalNorm(1.5f), offsets, sizes);
  }

  private static void assertClipped(String name, GradientClipping clipping, int[] offsets, int[] sizes)
      throws Exception {
    float[] grads = fixtures.floats("clip.grads");
    clipping.clip(grads, offsets, sizes);
    float[] expected = fixtures.floats(name);
    for (int i = 0; i < grads.length; i++) {
      assertEquals(expected[i], grads[i], 1e-5 * Math.max(Math.abs(expected[i]), 1e-2), name + "[" + i + "]");
    }
  }
}

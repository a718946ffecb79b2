package dev.kiln.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.io.SafeTensors;
import dev.kiln.runtime.io.SafeTensorsFile;
import java.nio.file.Path;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimizer against torch.optim for three steps (fixtures/optimizers.safetensors): the
 * parameters after each step within 1e-4 relative. Momentum is the seed's v = m v + lr g, w -= v,
 * which equals torch's SGD with momentum for a constant learning rate.
 */
class OptimizersPyTorchTest {
  private static SafeTensorsFile fixtures;

  @BeforeAll
  static void load() throws Exception {
    fixtures = SafeTensors.read(
        Path.of(OptimizersPyTorchTest.class.getResource("/fixtures/optimizers.safetensors").toURI()));
  }

  static Stream<Arguments> optimizers() {
    return Stream.of(
        optimizer("sgd", n -> Optimizers.sgd(n, 0.1f)),
        optimizer("momentum", n -> Optimizers.momentum(n, 0.1f, 0.9f)),
        optimizer("nesterov", n -> Optimizers.nesterov(n, 0.1f, 0.9f)),
        optimizer("adagrad", n -> Optimizers.adaGrad(n, 0.1f, 1e-7f)),
        optimizer("rmsprop", n -> Optimizers.rmsProp(n, 0.01f, 0.9f, 1e-7f)),
        optimizer("adam", n -> Optimizers.adam(n, 0.05f, 0.9f, 0.999f, 1e-7f)),
        optimizer("adamw", n -> Optimizers.adamW(n, 0.01f, 0.9f, 0.999f, 1e-7f, 0.1f)));
  }

  private static Arguments optimizer(String name, IntFunction<Optimizer> factory) {
    return Arguments.of(name, factory);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("optimizers")
  void threeStepsMatchTorchOptim(String name, IntFunction<Optimizer> factory) throws Exception {
    float[] w = fixtures.floats(name + ".w0");
    Optimizer optimizer = factory.apply(w.length);
    for (int step = 1; step <= 3; step++) {
      float[] g = fixtures.floats(name + ".g" + step);
      optimizer.step(w, g, 0, w.length);
      float[] expected = fixtures.floats(name + ".w" + step);
      for (int i = 0; i < w.length; i++) {
        double bound = 1e-4 * Math.max(Math.abs(expected[i]), 1e-2);
        assertTrue(Math.abs(w[i] - expected[i]) <= bound,
            name + " step " + step + " w[" + i + "]: expected " + expected[i] + ", got " + w[i]);
      }
    }
  }
}

package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.Model;
import java.nio.file.Path;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated networks against PyTorch 1.13 on the same weights and batch: inference outputs and loss
 * within 1e-5; the training-mode loss (batch statistics, dropout masks from the same noise seed,
 * regularizer penalties) and every parameter's gradient within 1e-4; the parameters, batch norm's
 * moving statistics and the inference loss after three optimizer steps within 1e-4. The fixtures
 * come from runtime/src/test/python/make_fixtures.py.
 */
class PyTorchReferenceTest {
  static final double OUTPUT_TOLERANCE = 1e-5;
  static final double GRADIENT_TOLERANCE = 1e-4;

  @TempDir Path dir;

  static Stream<Arguments> networks() {
    return Stream.of(
        network("net_xor", seed -> new FixtureNetworks_NetXorModel(seed, 8)),
        network("net_iris", seed -> new FixtureNetworks_NetIrisModel(seed, 8)),
        network("net_deep", seed -> new FixtureNetworks_NetDeepModel(seed, 8)),
        network("net_mix", seed -> new FixtureNetworks_NetMixModel(seed, 8)),
        network("net_sparse", seed -> new FixtureNetworks_NetSparseModel(seed, 8)),
        network("net_nesterov", seed -> new FixtureNetworks_NetNesterovModel(seed, 8)),
        network("net_adagrad", seed -> new FixtureNetworks_NetAdagradModel(seed, 8)),
        network("net_temp", seed -> new FixtureNetworks_NetTempModel(seed, 8)),
        network("net_dropout", seed -> new FixtureNetworks_NetDropoutModel(seed, 8)),
        network("net_batchnorm", seed -> new FixtureNetworks_NetBatchNormModel(seed, 8)),
        network("net_bn_plain", seed -> new FixtureNetworks_NetBnPlainModel(seed, 8)),
        network("net_layernorm", seed -> new FixtureNetworks_NetLayerNormModel(seed, 8)),
        network("net_logits", seed -> new FixtureNetworks_NetLogitsModel(seed, 8)),
        network("net_logits_sparse", seed -> new FixtureNetworks_NetLogitsSparseModel(seed, 8)),
        network("net_logits_bce", seed -> new FixtureNetworks_NetLogitsBceModel(seed, 8)));
  }

  private static Arguments network(String name, LongFunction<Model> factory) {
    return Arguments.of(name, factory);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void forwardMatchesPyTorch(String name, LongFunction<Model> factory) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    float[][] x = fixture.matrix("input.x");
    float[][] y = fixture.matrix("input.y");
    Fixture.assertClose(fixture.file.floats("expected.output"), Fixture.flatten(model.predict(x)),
        OUTPUT_TOLERANCE, name + " output");
    double loss = model.evaluate(x, y).loss();
    Fixture.assertClose(new float[] {fixture.scalar("expected.inference_loss")}, new float[] {(float) loss},
        OUTPUT_TOLERANCE, name + " inference loss");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void gradientsMatchPyTorch(String name, LongFunction<Model> factory) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    fixture.seedNoise(model);
    double loss = model.core().computeGradients(fixture.matrix("input.x"), fixture.matrix("input.y"));
    Fixture.assertClose(new float[] {fixture.scalar("expected.loss")}, new float[] {(float) loss},
        OUTPUT_TOLERANCE, name + " training loss");
    fixture.assertTensors(model, model.core().gradients(), "expected.grad.", GRADIENT_TOLERANCE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void threeOptimizerStepsMatchPyTorch(String name, LongFunction<Model> factory) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    float[][] x = fixture.matrix("input.x");
    float[][] y = fixture.matrix("input.y");
    int steps = Integer.parseInt(fixture.file.metadata().get("steps"));
    assertEquals(3, steps);
    fixture.seedNoise(model);
    for (int i = 0; i < steps; i++) {
      model.trainOnBatch(x, y);
    }
    fixture.assertTensors(model, model.core().parameters(), "expected.step3.", GRADIENT_TOLERANCE);
    Fixture.assertClose(new float[] {fixture.scalar("expected.step3.loss")},
        new float[] {(float) model.evaluate(x, y).loss()}, GRADIENT_TOLERANCE, name + " loss after 3 steps");
  }
}

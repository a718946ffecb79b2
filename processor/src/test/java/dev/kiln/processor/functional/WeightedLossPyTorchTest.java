package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Model;
import java.nio.file.Path;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Weighted losses against PyTorch 1.13 (make_fixtures.py's make_weighted): per-sample losses with
 * reduction='none', times the weights, summed and divided by the batch size (Keras's
 * sum_over_batch_size). Losses within 1e-5, gradients and the parameters after three steps within
 * 1e-4. {@code input.weight} is the sample weight times the class weight of the sample's label,
 * computed by PyTorch; the fit test gives Kiln the two separately.
 */
class WeightedLossPyTorchTest {
  @TempDir Path dir;

  static Stream<Arguments> networks() {
    return Stream.of(
        Arguments.of("weighted_iris", (LongFunction<Model>) seed -> new FixtureNetworks_NetIrisModel(seed, 8)),
        Arguments.of("weighted_sparse", (LongFunction<Model>) seed -> new FixtureNetworks_NetSparseModel(seed, 8)),
        Arguments.of("weighted_adagrad", (LongFunction<Model>) seed -> new FixtureNetworks_NetAdagradModel(seed, 8)),
        Arguments.of("weighted_layernorm",
            (LongFunction<Model>) seed -> new FixtureNetworks_NetLayerNormModel(seed, 8)),
        Arguments.of("weighted_logits", (LongFunction<Model>) seed -> new FixtureNetworks_NetLogitsModel(seed, 8)),
        Arguments.of("weighted_smooth",
            (LongFunction<Model>) seed -> new WeightedFixtureNetworks_NetSmoothModel(seed, 8)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void weightedEvaluationLossMatchesPyTorch(String name, LongFunction<Model> factory) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    double loss = model.evaluate(fixture.matrix("input.x"), fixture.matrix("input.y"),
        fixture.file.floats("input.weight")).loss();
    Fixture.assertClose(new float[] {fixture.scalar("expected.inference_loss")}, new float[] {(float) loss},
        PyTorchReferenceTest.OUTPUT_TOLERANCE, name + " weighted inference loss");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void weightedGradientsMatchPyTorch(String name, LongFunction<Model> factory) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    double loss = model.core().computeGradients(fixture.matrix("input.x"), fixture.matrix("input.y"),
        fixture.file.floats("input.weight"));
    Fixture.assertClose(new float[] {fixture.scalar("expected.loss")}, new float[] {(float) loss},
        PyTorchReferenceTest.OUTPUT_TOLERANCE, name + " weighted training loss");
    fixture.assertTensors(model, model.core().gradients(), "expected.grad.", PyTorchReferenceTest.GRADIENT_TOLERANCE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void threeWeightedStepsMatchPyTorch(String name, LongFunction<Model> factory) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    float[][] x = fixture.matrix("input.x");
    float[][] y = fixture.matrix("input.y");
    float[] weights = fixture.file.floats("input.weight");
    assertEquals(3, Integer.parseInt(fixture.file.metadata().get("steps")));
    for (int i = 0; i < 3; i++) {
      model.trainOnBatch(x, y, weights);
    }
    fixture.assertTensors(model, model.core().parameters(), "expected.step3.", PyTorchReferenceTest.GRADIENT_TOLERANCE);
    Fixture.assertClose(new float[] {fixture.scalar("expected.step3.loss")},
        new float[] {(float) model.evaluate(x, y, weights).loss()}, PyTorchReferenceTest.GRADIENT_TOLERANCE,
        name + " weighted loss after 3 steps");
  }

  /** fit with sample weights and class weights given apart: Kiln looks up each label's class weight. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void fitWithSampleAndClassWeightsMatchesPyTorch(String name, LongFunction<Model> factory) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    float[][] x = fixture.matrix("input.x");
    FitOptions options = FitOptions.epochs(3).withBatchSize(x.length).withVerbose(false); // 3 full-batch steps
    if (fixture.file.contains("input.class_weight")) {
      options = options.withClassWeights(fixture.file.floats("input.class_weight"));
    }
    model.fit(x, fixture.matrix("input.y"), fixture.file.floats("input.sample_weight"), options);
    fixture.assertTensors(model, model.core().parameters(), "expected.step3.", PyTorchReferenceTest.GRADIENT_TOLERANCE);
  }
}

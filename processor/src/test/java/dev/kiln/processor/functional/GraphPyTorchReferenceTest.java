package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The graph networks of {@link GraphFixtureNetworks} against PyTorch 1.13 on the same weights and
 * batch, with PyTorchReferenceTest's checks and tolerances: inference outputs and loss within 1e-5;
 * training-mode loss and every parameter's gradient within 1e-4; parameters and inference loss
 * after three optimizer steps within 1e-4. Also the gradient of the training-mode loss with respect
 * to every input value ({@code backwardToInput}) within 1e-4. A network with several inputs is
 * called through the {@code List<float[][]>} overloads, its inputs in declaration order. The
 * recurrent networks of {@link RecurrentFixtureNetworks} (LSTM, GRU, SimpleRNN) run the same checks.
 */
class GraphPyTorchReferenceTest {
  static final double OUTPUT_TOLERANCE = PyTorchReferenceTest.OUTPUT_TOLERANCE;
  static final double GRADIENT_TOLERANCE = PyTorchReferenceTest.GRADIENT_TOLERANCE;

  @TempDir Path dir;

  /** Arguments: fixture name, model factory, input names (empty for the single input "input.x"). */
  static Stream<Arguments> networks() {
    return Stream.of(
        network("net_residual", seed -> new GraphFixtureNetworks_NetResidualModel(seed, 8)),
        network("net_concat", seed -> new GraphFixtureNetworks_NetConcatModel(seed, 8)),
        network("net_fanout3", seed -> new GraphFixtureNetworks_NetFanout3Model(seed, 8)),
        network("net_two_inputs", seed -> new GraphFixtureNetworks_NetTwoInputsModel(seed, 8), "tabular", "extra"),
        network("net_dense_seq", seed -> new GraphFixtureNetworks_NetDenseSeqModel(seed, 8)),
        network("net_lstm_seq", seed -> new RecurrentFixtureNetworks_NetLstmSeqModel(seed, 8)),
        network("net_lstm_last", seed -> new RecurrentFixtureNetworks_NetLstmLastModel(seed, 8)),
        network("net_lstm_stacked", seed -> new RecurrentFixtureNetworks_NetLstmStackedModel(seed, 8)),
        network("net_gru_seq", seed -> new RecurrentFixtureNetworks_NetGruSeqModel(seed, 8)),
        network("net_gru_last", seed -> new RecurrentFixtureNetworks_NetGruLastModel(seed, 8)),
        network("net_rnn_seq", seed -> new RecurrentFixtureNetworks_NetRnnSeqModel(seed, 8)),
        network("net_rnn_last", seed -> new RecurrentFixtureNetworks_NetRnnLastModel(seed, 8)));
  }

  /**
   * Every network above and those whose input is token ids ({@code @Embedding}), which have no
   * finite differences in their input (InputGradientCheckTest uses {@link #networks}): their input
   * gradient is zero.
   */
  static Stream<Arguments> allNetworks() {
    return Stream.concat(networks(), Stream.of(
        network("net_embedding_lstm", seed -> new RecurrentFixtureNetworks_NetEmbeddingLstmModel(seed, 8))));
  }

  private static Arguments network(String name, LongFunction<Model> factory, String... inputs) {
    return Arguments.of(name, factory, List.of(inputs));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allNetworks")
  void forwardMatchesPyTorch(String name, LongFunction<Model> factory, List<String> inputNames) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    Batch batch = Batch.of(fixture, inputNames);
    float[][] y = fixture.matrix("input.y");
    Fixture.assertClose(fixture.file.floats("expected.output"), Fixture.flatten(batch.predict(model)),
        OUTPUT_TOLERANCE, name + " output");
    double loss = batch.evaluateLoss(model, y);
    Fixture.assertClose(new float[] {fixture.scalar("expected.inference_loss")}, new float[] {(float) loss},
        OUTPUT_TOLERANCE, name + " inference loss");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allNetworks")
  void gradientsMatchPyTorch(String name, LongFunction<Model> factory, List<String> inputNames) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    fixture.seedNoise(model);
    double loss = Batch.of(fixture, inputNames).computeGradients(model, fixture.matrix("input.y"));
    Fixture.assertClose(new float[] {fixture.scalar("expected.loss")}, new float[] {(float) loss},
        OUTPUT_TOLERANCE, name + " training loss");
    fixture.assertTensors(model, model.core().gradients(), "expected.grad.", GRADIENT_TOLERANCE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allNetworks")
  void threeOptimizerStepsMatchPyTorch(String name, LongFunction<Model> factory, List<String> inputNames)
      throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    Batch batch = Batch.of(fixture, inputNames);
    float[][] y = fixture.matrix("input.y");
    int steps = Integer.parseInt(fixture.file.metadata().get("steps"));
    assertEquals(3, steps);
    fixture.seedNoise(model);
    for (int i = 0; i < steps; i++) {
      batch.trainOnBatch(model, y);
    }
    fixture.assertTensors(model, model.core().parameters(), "expected.step3.", GRADIENT_TOLERANCE);
    Fixture.assertClose(new float[] {fixture.scalar("expected.step3.loss")},
        new float[] {(float) batch.evaluateLoss(model, y)}, GRADIENT_TOLERANCE, name + " loss after 3 steps");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allNetworks")
  void inputGradientsMatchPyTorch(String name, LongFunction<Model> factory, List<String> inputNames)
      throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    Batch batch = Batch.of(fixture, inputNames);
    fixture.seedNoise(model);
    List<float[][]> gradients = batch.newGradients();
    double loss = batch.backwardToInput(model, fixture.matrix("input.y"), gradients);
    Fixture.assertClose(new float[] {fixture.scalar("expected.loss")}, new float[] {(float) loss},
        OUTPUT_TOLERANCE, name + " training loss of backwardToInput");
    for (int i = 0; i < gradients.size(); i++) {
      String tensor = inputNames.isEmpty() ? "expected.input_grad" : "expected.input_grad." + inputNames.get(i);
      Fixture.assertClose(fixture.file.floats(tensor), Fixture.flatten(gradients.get(i)), GRADIENT_TOLERANCE,
          name + " " + tensor);
    }
  }

  /**
   * One batch of a network's inputs: a single input goes through the {@code float[][]} methods, several
   * inputs through the {@code List<float[][]>} overloads (declaration order).
   */
  record Batch(List<float[][]> inputs, boolean several) {
    /** The fixture's {@code input.x}, or {@code input.<name>} for each of {@code inputNames}. */
    static Batch of(Fixture fixture, List<String> inputNames) throws IOException {
      if (inputNames.isEmpty()) {
        return new Batch(List.<float[][]>of(fixture.matrix("input.x")), false);
      }
      List<float[][]> inputs = new ArrayList<>();
      for (String input : inputNames) {
        inputs.add(fixture.matrix("input." + input));
      }
      return new Batch(inputs, true);
    }

    float[][] predict(Model model) {
      return several ? model.predict(inputs) : model.predict(inputs.get(0));
    }

    double evaluateLoss(Model model, float[][] y) {
      return (several ? model.evaluate(inputs, y) : model.evaluate(inputs.get(0), y)).loss();
    }

    double computeGradients(Model model, float[][] y) {
      return several ? model.core().computeGradients(inputs, y) : model.core().computeGradients(inputs.get(0), y);
    }

    double trainOnBatch(Model model, float[][] y) {
      return several ? model.trainOnBatch(inputs, y) : model.trainOnBatch(inputs.get(0), y);
    }

    /** Zero arrays shaped like the inputs, for {@link #backwardToInput}. */
    List<float[][]> newGradients() {
      List<float[][]> out = new ArrayList<>();
      for (float[][] x : inputs) {
        out.add(new float[x.length][x[0].length]);
      }
      return out;
    }

    /** d loss / d input into {@code gradients} (one array per input); returns the training-mode loss. */
    double backwardToInput(Model model, float[][] y, List<float[][]> gradients) {
      return several
          ? model.core().backwardToInput(inputs, y, gradients)
          : model.core().backwardToInput(inputs.get(0), y, gradients.get(0));
    }

    /**
     * The training-mode loss without the parameter gradients' side effects mattering: a single
     * input uses {@code ModelCore.loss(x, y, true)}, several inputs {@code computeGradients} (the
     * contract gives no multi-input {@code loss}; both run the same training-mode forward pass).
     */
    double trainingLoss(Model model, float[][] y) {
      return several ? model.core().computeGradients(inputs, y) : model.core().loss(inputs.get(0), y, true);
    }
  }
}

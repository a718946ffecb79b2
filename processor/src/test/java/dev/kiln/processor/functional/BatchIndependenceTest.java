package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.Inference;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.kernels.Parallelism;
import dev.kiln.runtime.internal.NetworkInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every PyTorch fixture network (dense, convolutional, graph, recurrent) predicts a sample alone
 * exactly as its row of a batch: no kernel lets a sample's values depend on its neighbours or on
 * where it lies in the batch (vector tails, batch-1 product paths and the zero input rows they
 * skip, batch-folded convolutions).
 */
class BatchIndependenceTest {

  static Stream<Arguments> allNetworks() {
    return Stream.of(PyTorchReferenceTest.networks(), ConvPyTorchReferenceTest.networks(),
            GraphPyTorchReferenceTest.networks())
        .flatMap(networks -> networks)
        .map(arguments -> Arguments.of(arguments.get()[0], arguments.get()[1]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allNetworks")
  void aSampleAloneGetsItsBatchRowBitForBit(String name, LongFunction<Model> factory) {
    Model model = factory.apply(11);
    NetworkInfo info = model.core().info();
    int batch = 7;
    SplittableRandom random = new SplittableRandom(name.hashCode());
    List<float[][]> inputs = new ArrayList<>();
    for (int i = 0; i < info.inputs().size(); i++) {
      float[][] x = new float[batch][info.inputSize(i)];
      for (float[] row : x) {
        for (int j = 0; j < row.length; j++) {
          // A third zeros (+0 and -0): a sample alone skips their weight rows, a batch does not.
          int kind = random.nextInt(6);
          row[j] = kind == 0 ? 0f : kind == 1 ? -0f : (float) (random.nextDouble() * 4 - 2);
        }
      }
      inputs.add(x);
    }
    float[][] together = model.predict(inputs);
    Inference snapshot = info.inputs().size() == 1 ? model.core().inference() : null;
    for (int r = 0; r < batch; r++) {
      List<float[][]> alone = new ArrayList<>();
      for (float[][] x : inputs) {
        alone.add(new float[][] {x[r]});
      }
      float[] single = model.predict(alone)[0];
      assertEquals(together[r].length, single.length, name);
      float[] served = snapshot == null ? single : snapshot.predict(inputs.get(0)[r]);
      for (int j = 0; j < single.length; j++) {
        assertEquals(Float.floatToRawIntBits(together[r][j]), Float.floatToRawIntBits(single[j]),
            name + " sample " + r + ", output " + j + ": " + together[r][j] + " in the batch, " + single[j] + " alone");
        assertEquals(Float.floatToRawIntBits(together[r][j]), Float.floatToRawIntBits(served[j]),
            name + " sample " + r + ", output " + j + ": " + together[r][j] + " in the batch, " + served[j] + " served alone");
      }
    }
  }

  /**
   * A large batched prediction runs in parts of rows on two threads, each part on a program of its
   * own (the model's and a helper over its parameters, or two of an Inference's pool), from a flat
   * array or from rows: the same bits as on one thread. The batch is made just large enough to split (each part must hold about
   * a million multiply-adds, estimated as rows times parameters).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("allNetworks")
  void aBatchSplitOverThreadsGetsTheSameBits(String name, LongFunction<Model> factory) {
    Model model = factory.apply(12);
    NetworkInfo info = model.core().info();
    assumeTrue(info.inputs().size() == 1, "flat batched predictions take one input");
    int rowsPerPart = (int) Math.max(16, (1_000_000 + info.parameterCount() - 1) / info.parameterCount());
    int n = 2 * rowsPerPart + 5;
    SplittableRandom random = new SplittableRandom(name.hashCode());
    float[] x = new float[n * info.inputSize()];
    for (int j = 0; j < x.length; j++) {
      x[j] = (float) (random.nextDouble() * 4 - 2);
    }
    int threadsBefore = Parallelism.threads();
    try {
      Parallelism.setThreads(1);
      float[] oneThread = new float[n * info.outputSize()];
      model.core().predict(x, n, oneThread);
      Inference inference = model.core().inference();
      Parallelism.setThreads(2);
      float[] twoThreads = new float[oneThread.length];
      model.core().predict(x, n, twoThreads);
      float[] served = new float[oneThread.length];
      inference.predict(x, n, served);
      float[][] rows = new float[n][];
      for (int r = 0; r < n; r++) {
        rows[r] = java.util.Arrays.copyOfRange(x, r * info.inputSize(), (r + 1) * info.inputSize());
      }
      float[][] rowPredictions = model.predict(rows);
      for (int j = 0; j < oneThread.length; j++) {
        assertEquals(Float.floatToRawIntBits(oneThread[j]), Float.floatToRawIntBits(twoThreads[j]),
            name + " value " + j + " (row " + j / info.outputSize() + ") of the model's prediction on two threads");
        assertEquals(Float.floatToRawIntBits(oneThread[j]), Float.floatToRawIntBits(served[j]),
            name + " value " + j + " (row " + j / info.outputSize() + ") of the served prediction on two threads");
        assertEquals(Float.floatToRawIntBits(oneThread[j]),
            Float.floatToRawIntBits(rowPredictions[j / info.outputSize()][j % info.outputSize()]),
            name + " value " + j + " of the model's prediction of rows on two threads");
      }
      if (Runtime.getRuntime().availableProcessors() > 1) {
        assertEquals(2, inference.programsCreated(), name + ": the served batch ran in two parts, a program each");
      }
    } finally {
      Parallelism.setThreads(threadsBefore);
    }
  }
}

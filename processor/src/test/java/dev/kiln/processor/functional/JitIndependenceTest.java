package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Layer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The same seed trains to the same parameters whether the kernels run interpreted, in C1 or in C2:
 * the first fit of a fresh JVM runs its first steps in the interpreter (the Vector API's Java
 * fallbacks), the later ones run compiled. Runs in a JVM of its own (the processor's allocation
 * execution), so that the first fit really is the first. A softmax wider than a vector used to
 * exponentiate with {@code lanewise(EXP)} (an SVML call compiled, {@code Math.exp} per lane in the
 * fallbacks) and sum with {@code reduceLanes(ADD)} (another order in each): this test failed (first
 * parameter 0.05873861 against 0.058738675), and W6's loss after 310 steps read 2.438, 2.445 and
 * 2.430 in three JVMs. The other vector activations (sigmoid, tanh, elu, selu, swish, gelu) still
 * use the intrinsics; see docs/architecture.md.
 */
class JitIndependenceTest {
  @Network(input = 24, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 1e-2)
  interface WideSoftmax {
    @Dense(units = 32, activation = RELU)
    Layer hidden();

    @Dense(units = 43, activation = SOFTMAX) // 2 vectors and a tail of 11 at 16 lanes
    Layer output();
  }

  private static float[] train() {
    SplittableRandom random = new SplittableRandom(21);
    float[][] x = new float[96][24];
    float[][] y = new float[96][43];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 24; j++) {
        x[i][j] = (float) random.nextGaussian();
      }
      y[i][random.nextInt(43)] = 1;
    }
    JitIndependenceTest_WideSoftmaxModel model = new JitIndependenceTest_WideSoftmaxModel(7, 16);
    model.fit(x, y, FitOptions.epochs(40).withBatchSize(16).withShuffle(5).withVerbose(false));
    return model.core().parameters();
  }

  @Test
  void theFirstFitOfAJvmTrainsToTheSameParametersAsALaterOne() {
    float[] cold = train();
    float[] warm = train();
    for (int i = 0; i < 3; i++) {
      warm = train(); // by now the kernels are compiled
    }
    assertArrayEquals(cold, warm);
  }
}

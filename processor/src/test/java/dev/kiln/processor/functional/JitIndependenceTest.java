package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.ELU;
import static dev.kiln.annotations.ActivationFunction.GELU;
import static dev.kiln.annotations.ActivationFunction.GELU_TANH;
import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SELU;
import static dev.kiln.annotations.ActivationFunction.SIGMOID;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static dev.kiln.annotations.ActivationFunction.SWISH;
import static dev.kiln.annotations.ActivationFunction.TANH;
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
 * execution), so that the first fit really is the first. The kernels used to exponentiate with
 * {@code lanewise(EXP)}, {@code EXPM1} and {@code TANH} (SVML calls compiled, {@code Math} per lane
 * in the fallbacks) and sum softmax rows with {@code reduceLanes(ADD)} (another order in each):
 * with only the softmax this test failed (first parameter 0.05873861 against 0.058738675), and
 * W6's loss after 310 steps read 2.438, 2.445 and 2.430 in three JVMs; with the other
 * activations and softmax fixed, it still failed until they were too.
 */
class JitIndependenceTest {
  /** Every activation that exponentiates, each over two vectors and a tail at 16 lanes. */
  @Network(input = 24, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 1e-2)
  interface EveryActivation {
    @Dense(units = 37, activation = SIGMOID)
    Layer sigmoid();

    @Dense(units = 37, activation = TANH)
    Layer tanh();

    @Dense(units = 37, activation = ELU)
    Layer elu();

    @Dense(units = 37, activation = SELU)
    Layer selu();

    @Dense(units = 37, activation = SWISH)
    Layer swish();

    @Dense(units = 37, activation = GELU)
    Layer gelu();

    @Dense(units = 37, activation = GELU_TANH)
    Layer geluTanh();

    @Dense(units = 37, activation = RELU)
    Layer relu();

    @Dense(units = 43, activation = SOFTMAX)
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
    JitIndependenceTest_EveryActivationModel model = new JitIndependenceTest_EveryActivationModel(7, 16);
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

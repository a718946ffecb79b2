package dev.kiln.samples;

import static dev.kiln.annotations.ActivationFunction.ELU;
import static dev.kiln.annotations.ActivationFunction.GELU;
import static dev.kiln.annotations.ActivationFunction.LEAKY_RELU;
import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SELU;
import static dev.kiln.annotations.ActivationFunction.SIGMOID;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static dev.kiln.annotations.ActivationFunction.SWISH;
import static dev.kiln.annotations.ActivationFunction.TANH;
import static dev.kiln.annotations.Initializer.HE_NORMAL;

import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Sgd;
import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Model;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The seed's exercise 16: the same network (Iris, 4-16-16-3, SGD 0.05, full batch) trained with
 * each hidden activation, reporting the epochs and time to reach 0.95 training accuracy and the
 * final test accuracy. Activations are compile-time in Kiln, so each variant is its own declaration.
 */
public final class ActivationComparison {
  private static final int EPOCHS = 600;
  private static final double TARGET_ACCURACY = 0.95;

  private ActivationComparison() {}

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY) @Sgd(learningRate = 0.05)
  interface SigmoidNet {
    @Dense(units = 16, activation = SIGMOID) dev.kiln.runtime.Layer a();
    @Dense(units = 16, activation = SIGMOID) dev.kiln.runtime.Layer b();
    @Dense(units = 3, activation = SOFTMAX) dev.kiln.runtime.Layer out();
  }

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY) @Sgd(learningRate = 0.05)
  interface TanhNet {
    @Dense(units = 16, activation = TANH) dev.kiln.runtime.Layer a();
    @Dense(units = 16, activation = TANH) dev.kiln.runtime.Layer b();
    @Dense(units = 3, activation = SOFTMAX) dev.kiln.runtime.Layer out();
  }

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY) @Sgd(learningRate = 0.05)
  interface ReluNet {
    @Dense(units = 16, activation = RELU, kernelInit = HE_NORMAL) dev.kiln.runtime.Layer a();
    @Dense(units = 16, activation = RELU, kernelInit = HE_NORMAL) dev.kiln.runtime.Layer b();
    @Dense(units = 3, activation = SOFTMAX) dev.kiln.runtime.Layer out();
  }

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY) @Sgd(learningRate = 0.05)
  interface LeakyReluNet {
    @Dense(units = 16, activation = LEAKY_RELU, kernelInit = HE_NORMAL) dev.kiln.runtime.Layer a();
    @Dense(units = 16, activation = LEAKY_RELU, kernelInit = HE_NORMAL) dev.kiln.runtime.Layer b();
    @Dense(units = 3, activation = SOFTMAX) dev.kiln.runtime.Layer out();
  }

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY) @Sgd(learningRate = 0.05)
  interface EluNet {
    @Dense(units = 16, activation = ELU, kernelInit = HE_NORMAL) dev.kiln.runtime.Layer a();
    @Dense(units = 16, activation = ELU, kernelInit = HE_NORMAL) dev.kiln.runtime.Layer b();
    @Dense(units = 3, activation = SOFTMAX) dev.kiln.runtime.Layer out();
  }

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY) @Sgd(learningRate = 0.05)
  interface SeluNet {
    @Dense(units = 16, activation = SELU, kernelInit = dev.kiln.annotations.Initializer.LECUN_NORMAL)
    dev.kiln.runtime.Layer a();
    @Dense(units = 16, activation = SELU, kernelInit = dev.kiln.annotations.Initializer.LECUN_NORMAL)
    dev.kiln.runtime.Layer b();
    @Dense(units = 3, activation = SOFTMAX) dev.kiln.runtime.Layer out();
  }

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY) @Sgd(learningRate = 0.05)
  interface SwishNet {
    @Dense(units = 16, activation = SWISH, kernelInit = HE_NORMAL) dev.kiln.runtime.Layer a();
    @Dense(units = 16, activation = SWISH, kernelInit = HE_NORMAL) dev.kiln.runtime.Layer b();
    @Dense(units = 3, activation = SOFTMAX) dev.kiln.runtime.Layer out();
  }

  @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY) @Sgd(learningRate = 0.05)
  interface GeluNet {
    @Dense(units = 16, activation = GELU, kernelInit = HE_NORMAL) dev.kiln.runtime.Layer a();
    @Dense(units = 16, activation = GELU, kernelInit = HE_NORMAL) dev.kiln.runtime.Layer b();
    @Dense(units = 3, activation = SOFTMAX) dev.kiln.runtime.Layer out();
  }

  /** One row of the table. */
  record Result(String activation, int epochsToTarget, double secondsToTarget, double seconds, double testAccuracy) {}

  /** Trains every variant and prints the table; returns the rows. */
  static List<Result> run() {
    IrisData data = IrisData.load(0.2, 42);
    List<Object[]> variants = List.of(
        new Object[] {"sigmoid", (Supplier<Model>) () -> new ActivationComparison_SigmoidNetModel(1, 120)},
        new Object[] {"tanh", (Supplier<Model>) () -> new ActivationComparison_TanhNetModel(1, 120)},
        new Object[] {"relu", (Supplier<Model>) () -> new ActivationComparison_ReluNetModel(1, 120)},
        new Object[] {"leaky relu", (Supplier<Model>) () -> new ActivationComparison_LeakyReluNetModel(1, 120)},
        new Object[] {"elu", (Supplier<Model>) () -> new ActivationComparison_EluNetModel(1, 120)},
        new Object[] {"selu", (Supplier<Model>) () -> new ActivationComparison_SeluNetModel(1, 120)},
        new Object[] {"swish", (Supplier<Model>) () -> new ActivationComparison_SwishNetModel(1, 120)},
        new Object[] {"gelu", (Supplier<Model>) () -> new ActivationComparison_GeluNetModel(1, 120)});
    List<Result> results = new java.util.ArrayList<>();
    System.out.printf(Locale.ROOT, "Iris 4-16-16-3, SGD 0.05, full batch, %d epochs; target: %.2f training accuracy%n",
        EPOCHS, TARGET_ACCURACY);
    System.out.printf(Locale.ROOT, "%-11s %16s %16s %10s %14s%n", "activation", "epochs to target", "ms to target",
        "total ms", "test accuracy");
    for (Object[] variant : variants) {
      @SuppressWarnings("unchecked")
      Supplier<Model> factory = (Supplier<Model>) variant[1];
      Model model = factory.get();
      model.warmUp();
      dev.kiln.runtime.History history = model.fit(data.trainX, data.trainY,
          FitOptions.epochs(EPOCHS).withBatchSize(data.trainX.length).withoutShuffle().withVerbose(false));
      double[] accuracy = history.get("accuracy");
      double[] seconds = history.get("seconds");
      int reached = -1;
      double total = 0;
      double toTarget = 0;
      for (int e = 0; e < accuracy.length; e++) {
        total += seconds[e];
        if (reached < 0) {
          toTarget += seconds[e];
          reached = accuracy[e] >= TARGET_ACCURACY ? e + 1 : -1;
        }
      }
      Evaluation test = model.evaluate(data.testX, data.testY);
      Result r = new Result((String) variant[0], reached, reached < 0 ? Double.NaN : toTarget, total, test.accuracy());
      results.add(r);
      System.out.printf(Locale.ROOT, "%-11s %16s %16s %10.1f %14.4f%n", r.activation(),
          reached < 0 ? "not reached" : String.valueOf(reached),
          reached < 0 ? "-" : String.format(Locale.ROOT, "%.1f", toTarget * 1e3), total * 1e3, r.testAccuracy());
    }
    return results;
  }
}

package dev.kiln.samples;

import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.kernels.Kernels;
import java.util.Arrays;
import java.util.Locale;

/**
 * Kiln's demo: {@code java --add-modules jdk.incubator.vector -jar kiln-samples.jar [xor|iris|all]}.
 * Trains the seed's XOR and Iris networks, declared in {@link Xor} and {@link Iris}, and uses them.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "all" : args[0];
    if (command.equals("bench")) {
      Bench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    System.out.println("Kiln kernels: " + Kernels.ACTIVE.description());
    switch (command) {
      case "xor":
        xor();
        break;
      case "iris":
        iris();
        break;
      case "all":
        xor();
        System.out.println();
        iris();
        break;
      default:
        System.err.println("usage: kiln-samples.jar [xor|iris|all] | bench W1|W2|W3|W4|all [--threads N] [--json]");
        System.exit(2);
    }
  }

  /**
   * Seed for the XOR demo's initial weights. Two hidden units have poor local minima on XOR: of
   * seeds 0-199, 88 solve it within the seed's 100 epochs (the rest sit at loss 0.25 or converge
   * later), so the demo names one that does, as the seed's Keras run happened to.
   */
  static final long XOR_SEED = 4;

  /** The seed's XOR example: 100 epochs of Adam 0.05 on the four points, full batch. */
  static float[][] xor() {
    float[][] x = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    float[][] y = {{0}, {1}, {1}, {0}};
    XorModel model = new XorModel(XOR_SEED);
    System.out.println("--- XOR: model architecture ---");
    System.out.print(model.summary());
    System.out.println("Training XOR neural network ...");
    History history = model.fit(x, y, FitOptions.epochs(100).withBatchSize(4).withProgressEvery(25));
    System.out.printf(Locale.ROOT, "final loss %.6f%n", history.last("loss"));
    System.out.println("--- Final weights ---");
    System.out.println("W = " + Arrays.deepToString(model.hiddenLayer().kernel()));
    System.out.println("c = " + Arrays.toString(model.hiddenLayer().bias()));
    System.out.println("w = " + Arrays.deepToString(model.outputLayer().kernel()));
    System.out.println("b = " + Arrays.toString(model.outputLayer().bias()));
    System.out.println("--- Final predictions ---");
    float[][] predictions = model.predict(x);
    for (int i = 0; i < x.length; i++) {
      System.out.printf(Locale.ROOT, "Input: %s | Raw output: %.4f | Rounded: %d%n",
          Arrays.toString(x[i]), predictions[i][0], Math.round(predictions[i][0]));
    }
    return predictions;
  }

  /** The seed's Iris project: 4-10-3, SGD 0.1, 1000 full-batch epochs, stratified 80/20 split. */
  static double iris() {
    IrisData data = IrisData.load(0.2, 42);
    IrisModel model = new IrisModel();
    System.out.println("--- Iris: model architecture ---");
    System.out.print(model.summary());
    System.out.printf("Training on %d samples, testing on %d%n", data.trainX.length, data.testX.length);
    model.fit(data.trainX, data.trainY,
        FitOptions.epochs(1000).withBatchSize(data.trainX.length).withProgressEvery(200));
    Evaluation test = model.evaluate(data.testX, data.testY);
    System.out.printf(Locale.ROOT, "Iris test loss %.4f, test accuracy %.4f%n", test.loss(), test.accuracy());
    float[] flower = data.testX[0];
    float[] p = model.predict(flower);
    System.out.printf(Locale.ROOT, "First test flower: class probabilities %s%n", Arrays.toString(p));
    return test.accuracy();
  }
}

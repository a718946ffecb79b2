package dev.kiln.samples;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.LoadOptions;
import dev.kiln.runtime.LoadReport;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code kiln-samples.jar transfer}: transfer learning on Fashion-MNIST. A base ({@link
 * FashionTransfer}) trains on all images of classes 0-4 (T-shirt, Trouser, Pullover, Dress, Coat);
 * its feature layers are then reused for classes 5-9 (Sandal, Shirt, Sneaker, Bag, Ankle boot)
 * with only 1,000 training images: frozen base with a new head, then everything fine-tuned with the
 * base at a tenth of the head's rate. The same network trained from scratch on the same 1,000
 * images is the baseline; all three are tested on the 5,000 test images of classes 5-9.
 */
final class TransferExample {
  private TransferExample() {}

  static final int SMALL_TRAINING_SET = 1000;

  /** The test accuracies: from scratch, frozen base, fine-tuned. */
  record Result(double scratch, double frozen, double fineTuned) {}

  static Result run(Path dataDirectory) throws IOException {
    FashionMnist data = FashionMnist.load(dataDirectory);
    float[][][] base = classes(data.trainImages(), data.trainLabels(), 0, Integer.MAX_VALUE, 0);
    float[][][] small = classes(data.trainImages(), data.trainLabels(), 5, SMALL_TRAINING_SET, 1);
    float[][][] test = classes(data.testImages(), data.testLabels(), 5, Integer.MAX_VALUE, 0);
    System.out.printf(Locale.ROOT, "--- Transfer learning: base on classes 0-4 (%,d images), target classes 5-9 with"
        + " %,d training images, %,d test images ---%n", base[0].length, small[0].length, test[0].length);

    FashionTransferModel baseModel = new FashionTransferModel(1, 64);
    baseModel.fit(base[0], base[1], FitOptions.epochs(2).withBatchSize(64).withShuffle(1).withVerbose(false));
    System.out.printf(Locale.ROOT, "Base: test accuracy on classes 0-4 %.4f after 2 epochs%n",
        baseModel.evaluate(classes(data.testImages(), data.testLabels(), 0, Integer.MAX_VALUE, 0)[0],
            classes(data.testImages(), data.testLabels(), 0, Integer.MAX_VALUE, 0)[1]).accuracy());
    Path weights = Files.createTempFile("kiln-transfer-base", ".safetensors");
    try {
      baseModel.save(weights);
      FitOptions headEpochs = FitOptions.epochs(20).withBatchSize(32).withShuffle(2).withVerbose(false);

      FashionTransferModel scratch = new FashionTransferModel(7, 64);
      scratch.fit(small[0], small[1], FitOptions.epochs(30).withBatchSize(32).withShuffle(2).withVerbose(false));
      double scratchAccuracy = scratch.evaluate(test[0], test[1]).accuracy();

      FashionTransferModel transfer = new FashionTransferModel(7, 64);
      // The file's head (5 classes 0-4) is not wanted: loaded non-strictly, it is reported as skipped.
      LoadReport report = transfer.core().loadPartial(weights,
          LoadOptions.strict(false).layers("features1", "features2"));
      System.out.print(report.toString().replace(weights.toString(), "the base's weights"));
      transfer.features1().setTrainable(false);
      transfer.features2().setTrainable(false);
      int frozenTrainable = trainableParameters(transfer);
      transfer.fit(small[0], small[1], headEpochs);
      double frozenAccuracy = transfer.evaluate(test[0], test[1]).accuracy();

      transfer.features1().setTrainable(true);
      transfer.features2().setTrainable(true);
      transfer.features1().setLearningRateMultiplier(0.1f);
      transfer.features2().setLearningRateMultiplier(0.1f);
      transfer.fit(small[0], small[1], FitOptions.epochs(10).withBatchSize(32).withShuffle(3).withVerbose(false));
      double fineTunedAccuracy = transfer.evaluate(test[0], test[1]).accuracy();

      System.out.println();
      System.out.printf(Locale.ROOT, "%-44s %16s %7s %14s%n", "classes 5-9, 1,000 training images", "trained params",
          "epochs", "test accuracy");
      System.out.printf(Locale.ROOT, "%-44s %,16d %7d %14.4f%n", "from scratch", trainableParameters(scratch), 30,
          scratchAccuracy);
      System.out.printf(Locale.ROOT, "%-44s %,16d %7d %14.4f%n", "frozen base + new head", frozenTrainable, 20,
          frozenAccuracy);
      System.out.printf(Locale.ROOT, "%-44s %,16d %7s %14.4f%n", "then fine-tuned (base at 0.1x the rate)",
          trainableParameters(transfer), "+10", fineTunedAccuracy);
      return new Result(scratchAccuracy, frozenAccuracy, fineTunedAccuracy);
    } finally {
      Files.deleteIfExists(weights);
    }
  }

  private static int trainableParameters(Model model) {
    int count = 0;
    for (String name : List.of("features1", "features2", "head")) {
      dev.kiln.runtime.Layer layer = model.core().layer(name);
      count += layer.trainable() ? layer.parameterCount() : 0;
    }
    return count;
  }

  /**
   * The images of the five classes from {@code firstClass} with labels shifted to 0-4; at most
   * {@code limit} of them, chosen at random from {@code seed} when limited.
   */
  static float[][][] classes(float[][] images, int[] labels, int firstClass, int limit, long seed) {
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= firstClass && labels[i] < firstClass + 5) {
        rows.add(i);
      }
    }
    if (limit < rows.size()) {
      SplittableRandom random = new SplittableRandom(seed);
      for (int i = rows.size() - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        Integer t = rows.get(i);
        rows.set(i, rows.get(j));
        rows.set(j, t);
      }
      rows = rows.subList(0, limit);
    }
    float[][] x = new float[rows.size()][];
    float[][] y = new float[rows.size()][1];
    for (int i = 0; i < rows.size(); i++) {
      x[i] = images[rows.get(i)];
      y[i][0] = labels[rows.get(i)] - firstClass;
    }
    return new float[][][] {x, y};
  }
}

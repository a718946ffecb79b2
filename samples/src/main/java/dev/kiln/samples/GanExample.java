package dev.kiln.samples;

import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.GanTrainer;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.data.FashionMnist;
import dev.kiln.runtime.kernels.Parallelism;
import dev.kiln.runtime.report.TrainingReport;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * {@code kiln-samples.jar gan}: a dense GAN on Fashion-MNIST ({@link FashionGenerator}, {@link
 * FashionDiscriminator}) trained with {@link GanTrainer}, batch 64. After each epoch it writes an
 * 8 x 8 grid of images generated from fixed noise ({@code gan-epoch-NN.png}) and judges 2,000
 * generated images with a {@link FashionMlp} classifier trained first (2 epochs): the classifier's
 * mean confidence (the mean top probability), an Inception-Score-like exp(E_x KL(p(y|x) || p(y)))
 * (1 for a single class or no confidence, at most 10 for confident predictions spread evenly over
 * the ten classes) and the predicted-class histogram. The same judge's scores on 2,000 real test
 * images are the reference. Every per-epoch value goes into a {@link History}, and {@code
 * gan-report.html} charts and tables it.
 */
final class GanExample {
  static final int LATENT = 64;
  static final int BATCH = 64;
  static final int GRID = 8;
  static final int SCORED = 2_000;
  static final int JUDGE_EPOCHS = 2;
  private static final int PIXELS = FashionMnist.IMAGE_SIZE;
  private static final int CLASSES = FashionMnist.CLASS_COUNT;

  /** What the judge thinks of a set of images. */
  record Scores(double confidence, double inceptionScore, double[] classFractions) {
    String histogram() {
      StringBuilder s = new StringBuilder();
      for (int c = 0; c < CLASSES; c++) {
        s.append(c == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f%%", 100 * classFractions[c]));
      }
      return s.toString();
    }
  }

  /** The run's history, the judge's scores on real images and the grids written. */
  record Result(History history, double judgeAccuracy, Scores real, List<Path> grids, Path report) {}

  private GanExample() {}

  /**
   * Trains for {@code epochs} epochs of {@code samplesPerEpoch} shuffled training images (all
   * 60,000 at most), writing the PNGs and the report into {@code out}.
   */
  static Result run(Path dataDirectory, int epochs, int samplesPerEpoch, Path out) throws IOException {
    // One thread unless -Dkiln.threads says otherwise: at batch 64 a second thread does not pay
    // (docs/architecture.md), and on a loaded machine its hand-offs made a step 4x slower here.
    int threads = Parallelism.threads();
    if (System.getProperty("kiln.threads") == null) {
      Parallelism.setThreads(1);
    }
    try {
      return train(dataDirectory, epochs, samplesPerEpoch, out);
    } finally {
      Parallelism.setThreads(threads);
    }
  }

  private static Result train(Path dataDirectory, int epochs, int samplesPerEpoch, Path out) throws IOException {
    long start = System.nanoTime();
    FashionMnist data = FashionMnist.load(dataDirectory);
    float[][] train = data.trainImages();
    int perEpoch = Math.min(samplesPerEpoch, train.length) / BATCH * BATCH;
    Files.createDirectories(out);

    // The judge: Kiln's Fashion-MNIST MLP, trained briefly on the real images ([0, 1]).
    long judgeStart = System.nanoTime();
    FashionMlpModel judge = new FashionMlpModel(7, 256);
    judge.fit(train, FashionMnist.oneHot(data.trainLabels(), CLASSES),
        FitOptions.epochs(JUDGE_EPOCHS).withBatchSize(64).withShuffle(7).withVerbose(false));
    Evaluation judged = judge.evaluate(data.testImages(), FashionMnist.oneHot(data.testLabels(), CLASSES));
    float[] realImages = new float[SCORED * PIXELS];
    for (int i = 0; i < SCORED; i++) {
      System.arraycopy(data.testImages()[i], 0, realImages, i * PIXELS, PIXELS);
    }
    Scores real = score(judge, realImages, SCORED);
    System.out.printf(Locale.ROOT, "Judge (FashionMlp, %d epochs, %.1f s): test accuracy %.4f; on %,d real test "
        + "images: confidence %.3f, inception score %.2f, classes %s%n", JUDGE_EPOCHS,
        (System.nanoTime() - judgeStart) / 1e9, judged.accuracy(), SCORED, real.confidence(), real.inceptionScore(),
        real.histogram());

    FashionGeneratorModel generator = new FashionGeneratorModel(1, BATCH);
    FashionDiscriminatorModel discriminator = new FashionDiscriminatorModel(2, BATCH);
    System.out.print(generator.summary());
    System.out.print(discriminator.summary());
    GanTrainer gan = new GanTrainer(generator, discriminator);
    SplittableRandom random = new SplittableRandom(2026);
    float[] gridNoise = gaussian(new float[GRID * GRID * LATENT], random);
    float[] scoreNoise = gaussian(new float[SCORED * LATENT], random);
    float[] generated = new float[SCORED * PIXELS];
    float[] gridImages = new float[GRID * GRID * PIXELS];
    float[] realBatch = new float[BATCH * PIXELS];
    float[] noise = new float[BATCH * LATENT];
    int[] order = new int[train.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }

    History history = new History();
    List<Path> grids = new ArrayList<>();
    for (int epoch = 1; epoch <= epochs; epoch++) {
      long epochStart = System.nanoTime();
      shuffle(order, random);
      double real1 = 0;
      double fake0 = 0;
      double fooled = 0;
      int steps = perEpoch / BATCH;
      for (int step = 0; step < steps; step++) {
        for (int r = 0; r < BATCH; r++) {
          float[] image = train[order[step * BATCH + r]];
          for (int p = 0; p < PIXELS; p++) {
            realBatch[r * PIXELS + p] = 2 * image[p] - 1; // [0, 1] -> the generator's tanh range
          }
        }
        gaussian(noise, random);
        GanTrainer.StepLosses losses = gan.step(realBatch, noise, BATCH);
        real1 += losses.discriminatorReal();
        fake0 += losses.discriminatorFake();
        fooled += losses.generator();
      }
      double seconds = (System.nanoTime() - epochStart) / 1e9;

      Path grid = out.resolve(String.format(Locale.ROOT, "gan-epoch-%02d.png", epoch));
      generator.core().predict(gridNoise, GRID * GRID, gridImages);
      writeGrid(gridImages, grid);
      grids.add(grid);
      generator.core().predict(scoreNoise, SCORED, generated);
      toUnitRange(generated);
      Scores scores = score(judge, generated, SCORED);

      Map<String, Double> values = new LinkedHashMap<>();
      values.put("d_loss", (real1 + fake0) / (2 * steps));
      values.put("d_loss_real", real1 / steps);
      values.put("d_loss_fake", fake0 / steps);
      values.put("g_loss", fooled / steps);
      values.put("confidence", scores.confidence());
      values.put("inception_score", scores.inceptionScore());
      for (int c = 0; c < CLASSES; c++) {
        values.put("class/" + FashionMnist.CLASS_NAMES.get(c), scores.classFractions()[c]);
      }
      values.put("seconds", seconds);
      history.recordEpoch(values);
      System.out.printf(Locale.ROOT, "Epoch %d/%d - %d steps - d_loss %.4f (real %.4f, fake %.4f) - g_loss %.4f"
          + " - confidence %.3f - inception score %.2f - classes %s - %.1f s%n", epoch, epochs, steps,
          values.get("d_loss"), values.get("d_loss_real"), values.get("d_loss_fake"), values.get("g_loss"),
          scores.confidence(), scores.inceptionScore(), scores.histogram(), seconds);
    }
    Path report = out.resolve("gan-report.html");
    TrainingReport.write(history, String.format(Locale.ROOT,
        "Dense GAN on Fashion-MNIST (judge: FashionMlp, test accuracy %.3f; real images score confidence %.3f, "
            + "inception score %.2f)", judged.accuracy(), real.confidence(), real.inceptionScore()), report);
    System.out.printf(Locale.ROOT, "Images: %s ... %s%nReport: %s%nGAN sample took %.1f s%n",
        grids.get(0).toAbsolutePath(), grids.get(grids.size() - 1).getFileName(), report.toAbsolutePath(),
        (System.nanoTime() - start) / 1e9);
    return new Result(history, judged.accuracy(), real, grids, report);
  }

  /**
   * The judge's view of {@code n} images ([n x 784] in [0, 1]): mean top probability,
   * exp(mean KL(p(y|x) || p(y))) with p(y) the mean prediction, and the argmax histogram.
   */
  static Scores score(Model judge, float[] images, int n) {
    float[] p = new float[n * CLASSES];
    judge.core().predict(images, n, p);
    return scores(p, n);
  }

  /** {@link #score} from the judge's probabilities, {@code n} rows of ten. */
  static Scores scores(float[] p, int n) {
    double[] marginal = new double[CLASSES];
    double[] fractions = new double[CLASSES];
    double confidence = 0;
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int c = 0; c < CLASSES; c++) {
        marginal[c] += p[i * CLASSES + c] / (double) n;
        best = p[i * CLASSES + c] > p[i * CLASSES + best] ? c : best;
      }
      confidence += p[i * CLASSES + best] / (double) n;
      fractions[best] += 1.0 / n;
    }
    double kl = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < CLASSES; c++) {
        double q = p[i * CLASSES + c];
        if (q > 0) {
          kl += q * (Math.log(q) - Math.log(marginal[c])) / n;
        }
      }
    }
    return new Scores(confidence, Math.exp(kl), fractions);
  }

  /** Standard normal values (Box-Muller) into {@code values}. */
  static float[] gaussian(float[] values, SplittableRandom random) {
    for (int i = 0; i < values.length; i += 2) {
      double radius = Math.sqrt(-2 * Math.log(1 - random.nextDouble()));
      double angle = 2 * Math.PI * random.nextDouble();
      values[i] = (float) (radius * Math.cos(angle));
      if (i + 1 < values.length) {
        values[i + 1] = (float) (radius * Math.sin(angle));
      }
    }
    return values;
  }

  private static void toUnitRange(float[] images) {
    for (int i = 0; i < images.length; i++) {
      images[i] = (images[i] + 1) / 2;
    }
  }

  /** An 8 x 8 grid of 28 x 28 images in [-1, 1], each drawn 3x, white on black, 2-pixel gaps. */
  static void writeGrid(float[] images, Path file) throws IOException {
    int scale = 3;
    int side = FashionMnist.IMAGE_ROWS * scale;
    int gap = 2;
    int size = GRID * side + (GRID + 1) * gap;
    BufferedImage png = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    java.awt.image.WritableRaster raster = png.getRaster();
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        raster.setSample(x, y, 0, 64); // the gaps: dark grey
      }
    }
    for (int k = 0; k < GRID * GRID; k++) {
      int left = gap + (k % GRID) * (side + gap);
      int top = gap + (k / GRID) * (side + gap);
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          float v = images[k * PIXELS + (y / scale) * FashionMnist.IMAGE_COLUMNS + x / scale];
          int gray = Math.round(Math.max(0f, Math.min(1f, (v + 1) / 2)) * 255);
          raster.setSample(left + x, top + y, 0, gray);
        }
      }
    }
    if (!ImageIO.write(png, "png", file.toFile())) {
      throw new IOException("no PNG writer for " + file);
    }
  }

  private static void shuffle(int[] order, SplittableRandom random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
}

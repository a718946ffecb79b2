package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.ActivationFunction;
import dev.kiln.annotations.Conv2D;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Flatten;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.MaxPool2D;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.RandomFlip;
import dev.kiln.annotations.RandomTranslation;
import dev.kiln.annotations.RandomZoom;
import dev.kiln.annotations.SpatialDropout2D;
import dev.kiln.runtime.Layer;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.io.SafeTensors;
import dev.kiln.runtime.io.SafeTensorsFile;
import dev.kiln.safetensors.TensorInfo;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Convolutional networks as a user meets them: the summary, a PyTorch-trained W5 (with
 * BatchNorm2d and nn.Flatten) loading and predicting as PyTorch did, Kiln's saved file having
 * exactly PyTorch's state_dict names and shapes, and no allocation per training step or batch-1
 * prediction.
 */
class ConvNetworksTest {
  @TempDir Path dir;

  @Test
  void w5SummaryShowsImageShapesAndKerasParameterCounts() {
    String summary = new ConvFixtureNetworks_NetConvW5Model().summary();
    assertTrue(summary.contains("│ conv1 (Conv2D)                  │ (None, 26, 26, 32)     │           320 │"), summary);
    assertTrue(summary.contains("│ pool1 (MaxPooling2D)            │ (None, 13, 13, 32)     │             0 │"), summary);
    assertTrue(summary.contains("│ conv2 (Conv2D)                  │ (None, 11, 11, 64)     │        18,496 │"), summary);
    assertTrue(summary.contains("│ pool2 (MaxPooling2D)            │ (None, 5, 5, 64)       │             0 │"), summary);
    assertTrue(summary.contains("│ flat (Flatten)                  │ (None, 1600)           │             0 │"), summary);
    assertTrue(summary.contains("│ dense (Dense)                   │ (None, 128)            │       204,928 │"), summary);
    assertTrue(summary.contains(" Total params: 225,034"), summary);
    assertEquals(225_034, ConvFixtureNetworks_NetConvW5Model.PARAMETER_COUNT);
  }

  @Test
  void pytorchTrainedW5PredictsAsPyTorch() throws Exception {
    Fixture fixture = Fixture.load("w5_trained");
    Model model = new ConvFixtureNetworks_TrainedW5Model();
    fixture.loadInitialWeights(model, dir);
    float[][] x = fixture.matrix("input.x");
    Fixture.assertClose(fixture.file.floats("expected.output"), Fixture.flatten(model.predict(x)), 1e-5,
        "w5_trained predictions");
    // Batch 1 gives the same numbers.
    float[] one = model.predict(x[2]);
    float[] expected = fixture.matrix("expected.output")[2];
    Fixture.assertClose(expected, one, 1e-5, "w5_trained batch-1 prediction");
  }

  @Test
  void kernelsAreKerasLayouts() throws Exception {
    Fixture fixture = Fixture.load("w5_trained");
    ConvFixtureNetworks_TrainedW5Model model = new ConvFixtureNetworks_TrainedW5Model();
    fixture.loadInitialWeights(model, dir);
    // Conv2D: Keras's [kh, kw, in, out] as [kh * kw * in][out]; PyTorch's file holds [out, in, kh, kw].
    float[] saved = fixture.file.floats("conv2.weight");
    float[][] kernel = model.conv2().kernel();
    assertEquals(3 * 3 * 32, kernel.length);
    assertEquals(64, kernel[0].length);
    for (int f : new int[] {0, 17, 63}) {
      for (int c : new int[] {0, 5, 31}) {
        for (int ky = 0; ky < 3; ky++) {
          for (int kx = 0; kx < 3; kx++) {
            assertEquals(saved[((f * 32 + c) * 3 + ky) * 3 + kx], kernel[(ky * 3 + kx) * 32 + c][f]);
          }
        }
      }
    }
    // Dense after Flatten: rows in Kiln's (and Keras's) channels-last order (h * 5 + w) * 64 + c;
    // PyTorch's columns are channels-first, c * 25 + h * 5 + w.
    float[] dense = fixture.file.floats("dense.weight");
    float[][] denseKernel = model.dense().kernel();
    for (int unit : new int[] {0, 127}) {
      for (int c : new int[] {0, 63}) {
        for (int p : new int[] {0, 7, 24}) {
          assertEquals(dense[unit * 1600 + c * 25 + p], denseKernel[p * 64 + c][unit]);
        }
      }
    }
  }

  @Test
  void savedFileHasPyTorchsStateDictNamesAndShapes() throws Exception {
    Fixture fixture = Fixture.load("w5_trained");
    Map<String, String> pytorch = new TreeMap<>();
    for (String entry : fixture.file.metadata().get("state_dict").split(",")) {
      String[] parts = entry.split(":", -1);
      pytorch.put(parts[0], parts[1]);
    }
    Model model = new ConvFixtureNetworks_TrainedW5Model();
    Path saved = dir.resolve("w5.safetensors");
    model.save(saved);
    SafeTensorsFile file = SafeTensors.read(saved);
    Map<String, String> kiln = new TreeMap<>();
    for (TensorInfo t : file.tensors()) {
      StringBuilder shape = new StringBuilder();
      for (long d : t.shape()) {
        shape.append(shape.length() > 0 ? "x" : "").append(d);
      }
      kiln.put(t.name(), shape.toString());
    }
    assertEquals(pytorch, kiln);
  }

  @Test
  void trainingStepAndBatchOnePredictionAllocateNothing() {
    ConvFixtureNetworks_NetConvPoolsModel model = new ConvFixtureNetworks_NetConvPoolsModel(1, 8);
    int size = 9 * 8 * 2;
    float[][] x = new float[8][size];
    float[][] y = new float[8][3];
    for (int i = 0; i < 8; i++) {
      for (int j = 0; j < size; j++) {
        x[i][j] = (float) Math.sin(i * 31 + j);
      }
      y[i][i % 3] = 1;
    }
    AllocationTest.assertAllocatesNothing(() -> model.trainOnBatch(x, y), 2_000);
    float[] out = new float[3];
    AllocationTest.assertAllocatesNothing(() -> model.predict(x[1], out), 10_000);
  }

  @Network(input = {10, 9, 1}, loss = Loss.CATEGORICAL_CROSSENTROPY, maxBatch = 8)
  @Adam
  interface AugmentedCnn {
    @RandomFlip
    Layer flip();

    @RandomTranslation(heightFactor = 0.1, widthFactor = 0.2)
    Layer shift();

    @RandomZoom(heightFactor = 0.2)
    Layer zoom();

    @Conv2D(filters = 4, kernelSize = 3, activation = ActivationFunction.RELU)
    Layer conv();

    @SpatialDropout2D(0.25)
    Layer drop();

    @MaxPool2D
    Layer pool();

    @Flatten
    Layer flat();

    @Dense(units = 3, activation = ActivationFunction.SOFTMAX)
    Layer output();
  }

  @Test
  void augmentedSummaryRowsKeepTheShapeWithoutParameters() {
    String summary = new ConvNetworksTest_AugmentedCnnModel().summary();
    assertTrue(summary.contains("│ flip (RandomFlip)               │ (None, 10, 9, 1)       │             0 │"), summary);
    assertTrue(summary.contains("│ shift (RandomTranslation)       │ (None, 10, 9, 1)       │             0 │"), summary);
    assertTrue(summary.contains("│ zoom (RandomZoom)               │ (None, 10, 9, 1)       │             0 │"), summary);
    assertTrue(summary.contains("│ drop (SpatialDropout2D)         │ (None, 8, 7, 4)        │             0 │"), summary);
  }

}

package com.example;

import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

public class QuickStart {
  public static void main(String[] args) throws Exception {
    // A stand-in for the Iris measurements: 4 features, 3 classes, one noisy cloud per class.
    Random random = new Random(7);
    float[][] x = new float[180][4];
    float[][] y = new float[180][3];
    for (int i = 0; i < x.length; i++) {
      int species = i % 3;
      for (int f = 0; f < 4; f++) {
        x[i][f] = (species - 1) * (f + 1) * 0.5f + (float) random.nextGaussian() * 0.5f;
      }
      y[i][species] = 1;                                 // one-hot target
    }
    float[][] xTrain = Arrays.copyOfRange(x, 0, 120), yTrain = Arrays.copyOfRange(y, 0, 120);
    float[][] xVal = Arrays.copyOfRange(x, 120, 150), yVal = Arrays.copyOfRange(y, 120, 150);
    float[][] xTest = Arrays.copyOfRange(x, 150, 180), yTest = Arrays.copyOfRange(y, 150, 180);
    float[] sample = xTest[0];

    IrisModel model = new IrisModel(42);                 // seeded, reproducible weights
    System.out.print(model.summary());                   // Keras-style table
    History history = model.fit(xTrain, yTrain,
        FitOptions.epochs(1000).withBatchSize(120).withValidation(xVal, yVal).withProgressEvery(250));
    Evaluation test = model.evaluate(xTest, yTest);      // loss and accuracy
    float[] probabilities = model.predict(sample);       // or predict(sample, out): allocation-free
    model.save(Path.of("iris.safetensors"));             // PyTorch state_dict names and layout
    System.out.println("validation accuracy " + history.last("val_accuracy")
        + ", test accuracy " + test.accuracy() + ", first test sample " + Arrays.toString(probabilities));
  }
}

package com.example.modular;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.Model;
import java.util.Arrays;

/** Trains XOR from the module path and prints which modules the classes came from. */
public final class Main {
  public static void main(String[] args) {
    float[][] x = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    float[][] y = {{0}, {1}, {1}, {0}};
    XorModel model = new XorModel(4);
    model.fit(x, y, FitOptions.epochs(100).withBatchSize(4).withVerbose(false));
    int[] rounded = Arrays.stream(model.predict(x)).mapToInt(p -> Math.round(p[0])).toArray();
    System.out.println("modules: " + Main.class.getModule().getName() + ", "
        + Model.class.getModule().getName() + ", " + dev.kiln.annotations.Network.class.getModule().getName());
    System.out.println("XOR rounded predictions: " + Arrays.toString(rounded));
  }
}

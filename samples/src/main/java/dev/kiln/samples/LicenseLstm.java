package dev.kiln.samples;

import static dev.kiln.annotations.ActivationFunction.SOFTMAX;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.LSTM;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.Layer;

/**
 * W6, a character-level LSTM on Debian's license texts ({@link LicenseCorpus}): 64 characters
 * one-hot over the corpus's {@value LicenseCorpus#VOCABULARY} distinct characters -> LSTM(128) over
 * time -> softmax over the next character at every step, cross-entropy over all steps, Adam 2e-3,
 * batch 32. The vocabulary is a compile-time constant: W6 checks the corpus has that many.
 */
@Network(input = {LicenseLstm.STEPS, LicenseCorpus.VOCABULARY}, loss = Loss.SPARSE_CATEGORICAL_CROSSENTROPY,
    maxBatch = LicenseLstm.BATCH)
@Adam(learningRate = 2e-3)
public interface LicenseLstm {
  int STEPS = 64;
  int BATCH = 32;

  @LSTM(units = 128, returnSequences = true)
  Layer lstm();

  @Dense(units = LicenseCorpus.VOCABULARY, activation = SOFTMAX)
  Layer next();
}

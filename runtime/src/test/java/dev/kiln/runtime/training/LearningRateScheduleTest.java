package dev.kiln.runtime.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every schedule's first 20 rates against its closed form, evaluated here in double from the
 * formula (not from the implementation), within one float ulp; the boundaries (k = tau, the end of
 * warm-up) are also checked against literal values worked out by hand.
 */
class LearningRateScheduleTest {
  private static final int STEPS = 20;

  @Test
  void constantIsTheSameAtEveryStep() {
    assertSequence(LearningRateSchedule.constant(0.05f), k -> 0.05);
  }

  @Test
  void linearDecayFollowsTheSeedsFormulaThenHoldsEtaTau() {
    LearningRateSchedule schedule = LearningRateSchedule.linearDecay(0.1f, 0.01f, 10);
    assertSequence(schedule, k -> k < 10 ? (1 - k / 10.0) * 0.1 + (k / 10.0) * 0.01 : 0.01);
    assertRate(0.1, schedule, 0);
    assertRate(0.055, schedule, 5); // a = 1/2: halfway
    assertRate(0.019, schedule, 9); // 0.1 * 0.1 + 0.9 * 0.01
    assertRate(0.01, schedule, 10); // k = tau
    assertRate(0.01, schedule, 1_000_000);
  }

  @Test
  void stepDecayDropsByTheFactorEveryStepSize() {
    LearningRateSchedule schedule = LearningRateSchedule.stepDecay(0.1f, 0.5, 4);
    assertSequence(schedule, k -> 0.1 * Math.pow(0.5, Math.floor(k / 4.0)));
    assertRate(0.1, schedule, 3);
    assertRate(0.05, schedule, 4);
    assertRate(0.025, schedule, 8);
    assertRate(0.1 / 32, schedule, 23);
  }

  @Test
  void exponentialDecayIsSmoothOrStaircase() {
    assertSequence(LearningRateSchedule.exponentialDecay(0.1f, 0.96, 5), k -> 0.1 * Math.pow(0.96, k / 5.0));
    LearningRateSchedule stairs = LearningRateSchedule.exponentialDecay(0.1f, 0.96, 5, true);
    assertSequence(stairs, k -> 0.1 * Math.pow(0.96, Math.floor(k / 5.0)));
    assertRate(0.1, stairs, 4);
    assertRate(0.096, stairs, 5);
    assertRate(0.1 * 0.96 * 0.96, stairs, 14);
    assertRate(0.1 * Math.pow(0.96, 2.5), LearningRateSchedule.exponentialDecay(0.1f, 0.96, 2), 5);
  }

  @Test
  void cosineDecayAnnealsToEtaMinThenHoldsIt() {
    LearningRateSchedule schedule = LearningRateSchedule.cosineDecay(0.1f, 10, 0.001f);
    assertSequence(schedule, k -> k < 10 ? 0.001 + (0.1 - 0.001) * (1 + Math.cos(Math.PI * k / 10)) / 2 : 0.001);
    assertRate(0.1, schedule, 0);
    assertRate(0.0505, schedule, 5); // cos(pi / 2) = 0: the midpoint
    assertRate(0.001, schedule, 10);
    assertRate(0.001, schedule, 19);
  }

  @Test
  void warmUpRampsLinearlyToTheFirstRateThenRunsTheScheduleFromItsStart() {
    LearningRateSchedule schedule = LearningRateSchedule.linearDecay(0.1f, 0.01f, 10).withWarmUp(4);
    assertSequence(schedule, k -> {
      if (k < 4) {
        return 0.1 * (k + 1) / 4;
      }
      int j = k - 4;
      return j < 10 ? (1 - j / 10.0) * 0.1 + (j / 10.0) * 0.01 : 0.01;
    });
    assertRate(0.025, schedule, 0);
    assertRate(0.075, schedule, 2);
    assertRate(0.1, schedule, 3); // last warm-up step reaches the schedule's first rate
    assertRate(0.1, schedule, 4); // the schedule's own step 0
    assertRate(0.091, schedule, 5);
    assertRate(0.01, schedule, 14); // tau after warm-up
  }

  @Test
  void warmUpCombinesWithCosineAndStepDecay() {
    assertSequence(LearningRateSchedule.cosineDecay(0.2f, 8, 0f).withWarmUp(5),
        k -> k < 5 ? 0.2 * (k + 1) / 5 : k - 5 < 8 ? 0.2 * (1 + Math.cos(Math.PI * (k - 5) / 8)) / 2 : 0);
    assertSequence(LearningRateSchedule.stepDecay(0.3f, 0.1, 3).withWarmUp(1),
        k -> k < 1 ? 0.3 : 0.3 * Math.pow(0.1, Math.floor((k - 1) / 3.0)));
    assertSequence(LearningRateSchedule.constant(0.01f).withWarmUp(10), k -> k < 10 ? 0.01 * (k + 1) / 10 : 0.01);
  }

  @Test
  void invalidParametersAreRejectedNamingTheValue() {
    assertRejected("linearDecay tau must be >= 1, was 0", () -> LearningRateSchedule.linearDecay(0.1f, 0.01f, 0));
    assertRejected("linearDecay eta0 must be a finite learning rate >= 0, was -0.1",
        () -> LearningRateSchedule.linearDecay(-0.1f, 0.01f, 10));
    assertRejected("linearDecay etaTau must be a finite learning rate >= 0, was NaN",
        () -> LearningRateSchedule.linearDecay(0.1f, Float.NaN, 10));
    assertRejected("constant rate must be a finite learning rate >= 0, was Infinity",
        () -> LearningRateSchedule.constant(Float.POSITIVE_INFINITY));
    assertRejected("stepDecay factor must be finite and > 0, was 0.0", () -> LearningRateSchedule.stepDecay(0.1f, 0, 3));
    assertRejected("stepDecay stepSize must be >= 1, was -2", () -> LearningRateSchedule.stepDecay(0.1f, 0.5, -2));
    assertRejected("exponentialDecay rate must be finite and > 0, was -0.5",
        () -> LearningRateSchedule.exponentialDecay(0.1f, -0.5, 3));
    assertRejected("exponentialDecay decaySteps must be >= 1, was 0",
        () -> LearningRateSchedule.exponentialDecay(0.1f, 0.5, 0, true));
    assertRejected("cosineDecay steps must be >= 1, was 0", () -> LearningRateSchedule.cosineDecay(0.1f, 0, 0f));
    assertRejected("cosineDecay etaMin must be <= eta0 (0.1), was 0.2", () -> LearningRateSchedule.cosineDecay(0.1f, 10, 0.2f));
    assertRejected("warm-up warmUpSteps must be >= 1, was 0", () -> LearningRateSchedule.constant(0.1f).withWarmUp(0));
    assertRejected("step must be >= 0, was -1", () -> LearningRateSchedule.constant(0.1f).learningRate(-1));
  }

  @Test
  void schedulesPrintTheirParameters() {
    assertEquals("WarmUp[warmUpSteps=4, then=LinearDecay[eta0=0.1, etaTau=0.01, tau=10]]",
        LearningRateSchedule.linearDecay(0.1f, 0.01f, 10).withWarmUp(4).toString());
  }

  private static void assertSequence(LearningRateSchedule schedule, IntToDoubleFunction expected) {
    for (int k = 0; k < STEPS; k++) {
      assertRate(expected.applyAsDouble(k), schedule, k);
    }
  }

  /** Within one float ulp of the double-precision value (the schedule rounds once to float). */
  private static void assertRate(double expected, LearningRateSchedule schedule, int step) {
    float actual = schedule.learningRate(step);
    assertEquals(expected, actual, Math.ulp((float) expected), "step " + step + " of " + schedule);
  }

  private static void assertRejected(String message, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().equals(message), "expected \"" + message + "\", got \"" + e.getMessage() + "\"");
  }
}

# Reference values for diary.insights.regression, from MASS::glm.nb (R's negative binomial).
# Rows as the product builds them: one per reported day in the before window
# [start - before_days, start) and the after window [start + lag_days, today];
# t = days since the before window's first day / 7; after = 0/1.
# Usage (from this folder): Rscript reference.R > reference_values.json
suppressMessages(library(MASS))

num <- function(x) if (is.null(x) || is.na(x) || !is.finite(x)) "null" else formatC(x, digits = 10, format = "g")

fit_one <- function(formula, data, name) {
  warnings <- character(0)
  fit <- withCallingHandlers(
    tryCatch(glm.nb(formula, data = data), error = function(e) NULL),
    warning = function(w) { warnings <<- c(warnings, conditionMessage(w)); invokeRestart("muffleWarning") }
  )
  term <- if (name == "before_trend") "t" else "after"
  family <- "negative_binomial"
  theta <- NA
  if (is.null(fit) || length(warnings) > 0) {
    # As the product does: no overdispersion (theta runs off) or no convergence -> Poisson GLM.
    fit <- glm(formula, data = data, family = poisson)
    family <- "poisson"
  } else {
    theta <- fit$theta
  }
  co <- summary(fit)$coefficients
  b <- co[term, "Estimate"]; se <- co[term, "Std. Error"]; p <- co[term, "Pr(>|z|)"]
  z <- qnorm(0.975)
  sprintf(
    '"%s": {"family": "%s", "coef": %s, "se": %s, "rate_ratio": %s, "ci_low": %s, "ci_high": %s, "p_value": %s, "theta": %s, "n": %d, "warnings": [%s]}',
    name, family, num(b), num(se), num(exp(b)), num(exp(b - z * se)), num(exp(b + z * se)), num(p), num(theta),
    nrow(data), if (length(warnings)) paste0('"', gsub('"', "'", warnings), '"', collapse = ", ") else ""
  )
}

diaries <- c("overdispersed", "falling_before", "sun_driven", "steady")
parts <- character(0)
for (name in diaries) {
  meta <- readLines(paste0(name, ".json"))
  field <- function(key) sub('.*"([0-9-]+)".*', "\\1", grep(paste0('"', key, '"'), meta, value = TRUE))
  fieldn <- function(key) as.integer(sub('.*: *([0-9]+).*', "\\1", grep(paste0('"', key, '"'), meta, value = TRUE)))
  start <- as.Date(field("start")); today <- as.Date(field("today"))
  before_start <- start - fieldn("before_days"); after_start <- start + fieldn("lag_days")
  d <- read.csv(paste0(name, ".csv"))
  d$day <- as.Date(d$day)
  d <- d[(d$day >= before_start & d$day < start) | (d$day >= after_start & d$day <= today), ]
  d$after <- as.integer(d$day >= after_start)
  d$t <- as.numeric(d$day - before_start) / 7
  models <- c(
    fit_one(episodes ~ after, d, "negative_binomial"),
    fit_one(episodes ~ after + t, d, "nb_trend"),
    fit_one(episodes ~ after + t + sun_minutes, d, "nb_trend_sun"),
    fit_one(episodes ~ t, d[d$after == 0, ], "before_trend")
  )
  parts <- c(parts, sprintf('"%s": {%s}', name, paste(models, collapse = ", ")))
}
cat(sprintf('{"r_version": "%s", "mass_version": "%s",\n "diaries": {\n%s\n}}\n',
            R.version.string, as.character(packageVersion("MASS")), paste(parts, collapse = ",\n")))

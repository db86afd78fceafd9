// Component tests run in jsdom; testing-library cleans the DOM after each test.
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/react";

afterEach(() => cleanup());

// Every screen, each loaded on demand (route-level code splitting).
import { lazy } from "react";
import type { Route } from "../router/router.tsx";

const page = (load: () => Promise<{ default: React.ComponentType }>) => lazy(load);

export const routes: Route[] = [
  { path: "/", title: "Datanets", component: page(() => import("../pages/datanets/DatanetsPage.tsx")) },
  { path: "/datanets", title: "Datanets", component: page(() => import("../pages/datanets/DatanetsPage.tsx")) },
  { path: "/datanets/new", title: "Create a Datanet", component: page(() => import("../pages/datanets/DatanetFormPage.tsx")) },
  { path: "/datanets/:id", title: "Datanet", component: page(() => import("../pages/datanets/DatanetPage.tsx")) },
  { path: "/datanets/:id/edit", title: "Edit Datanet", component: page(() => import("../pages/datanets/DatanetFormPage.tsx")) },
  { path: "/datanets/:id/contribute", title: "Contribute", component: page(() => import("../pages/contribute/ContributePage.tsx")) },
  { path: "/contributions", title: "My contributions", component: page(() => import("../pages/contribute/MyContributionsPage.tsx")) },
  { path: "/inbox", title: "Approver inbox", component: page(() => import("../pages/access/InboxPage.tsx")) },
  { path: "/access", title: "My access", component: page(() => import("../pages/access/MyAccessPage.tsx")) },
  { path: "/train", title: "Train a model", component: page(() => import("../pages/train/TrainWizardPage.tsx")) },
  { path: "/jobs", title: "Training jobs", component: page(() => import("../pages/jobs/JobsPage.tsx")) },
  { path: "/jobs/:id", title: "Job dashboard", component: page(() => import("../pages/jobs/JobPage.tsx")) },
  { path: "/compare", title: "Compare jobs", component: page(() => import("../pages/jobs/ComparePage.tsx")) },
  { path: "/jobs/:id/report", title: "Evaluation report", component: page(() => import("../pages/jobs/ReportPage.tsx")) },
  { path: "/chat", title: "Chat", component: page(() => import("../pages/chat/ChatPage.tsx")) },
  { path: "/chat/:modelId", title: "Chat", component: page(() => import("../pages/chat/ChatPage.tsx")) },
  { path: "/explore", title: "Attribution explorer", component: page(() => import("../pages/explore/ExplorePage.tsx")) },
  { path: "/explore/model/:id", title: "Model", component: page(() => import("../pages/explore/ModelExplorePage.tsx")) },
  { path: "/explore/contributor/:address", title: "Contributor", component: page(() => import("../pages/explore/ContributorPage.tsx")) },
  { path: "/explore/answer/:modelId/:receiptId", title: "Answer", component: page(() => import("../pages/explore/AnswerPage.tsx")) },
];

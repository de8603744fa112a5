// The "Navigate" link: the phone's maps app with directions to a stop (navigation.ts builds the address).
import { currentMapsPlatform, navigationUrl } from "./navigation";

export function NavigateLink(props: {
  place: { lat: number; lon: number };
  label: string;
  text: string;
  class?: string;
  testId: string;
}) {
  const platform = currentMapsPlatform();
  return (
    <a
      class={props.class ?? "button"}
      href={navigationUrl(platform, props.place, props.label)}
      // a geo: link hands over to the maps app itself; a web link opens beside the app, which stays as it is
      {...(platform === "android" ? {} : { target: "_blank", rel: "noopener" })}
      data-testid={props.testId}
    >
      {props.text}
    </a>
  );
}
